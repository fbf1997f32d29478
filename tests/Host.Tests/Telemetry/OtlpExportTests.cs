namespace Middleware.Host.Tests.Telemetry;

/// <summary>The sale path's spans and the metrics reach a real OTLP/HTTP receiver, one trace per till call.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task A_qr_sale_sends_its_spans_pipe_call_sale_step_izly_debit_and_ticket_commit_in_one_trace_then_the_upload()
    {
        using var receiver = new OtlpReceiver();
        await using var web = await OperatorWebHost.StartAsync("--Telemetry:Enabled=true", $"--Telemetry:Otlp:Endpoint={receiver.Endpoint}",
            "--Telemetry:Otlp:MetricsInterval=00:00:01");
        await using (var till = await web.Host.ConnectAsync())
        {
            var saleId = await TillSteps.OpenMealAsync(till);
            await TillSteps.IdentifyQrAsync(till, saleId, web.Host.Sandbox.IssueQrCode("1000016"));
            var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" });
            Assert.Equal("Committed", paid.GetProperty("state").GetString());
        }

        // The batch exporter sends every 5 s: poll for the upload's span, the last one of the path.
        var spans = await TillSteps.WaitForAsync(() => Task.FromResult(receiver.Spans()), s => s.Any(x => x.Name == "ticket.upload"),
            TimeSpan.FromSeconds(60), "the ticket.upload span at the OTLP receiver");

        var names = string.Join(", ", spans.Select(s => $"{s.Name} ({s.TraceId[..6]}/{s.SpanId[..6]}<-{(s.ParentId.Length > 0 ? s.ParentId[..6] : "root")})"));
        Assert.True(spans.Count(s => s.Name == "sale.pay") == 1, names);
        var pipe = Assert.Single(spans, s => s.Name == "pipe sale.pay");
        var step = Assert.Single(spans, s => s.Name == "sale.pay");
        var debit = Assert.Single(spans, s => s.Name == "izly debit" && s.TraceId == pipe.TraceId);
        // The background recovery pass may push the Paid sale too (its commit is idempotent): that one is a trace of its own.
        var commit = Assert.Single(spans, s => s.Name == "ticket.commit" && s.TraceId == pipe.TraceId);
        Assert.Equal(pipe.SpanId, step.ParentId);
        Assert.Equal(pipe.TraceId, debit.TraceId);
        Assert.Equal(pipe.TraceId, commit.TraceId);
        Assert.Equal(step.SpanId, commit.ParentId);
        Assert.Contains(spans, s => s.Name == "izly searchQRCode");
        Assert.True(receiver.MetricExports > 0 || await TillSteps.WaitForAsync(() => Task.FromResult(receiver.MetricExports), n => n > 0, TimeSpan.FromSeconds(30), "a metrics export") > 0);
    }
}
