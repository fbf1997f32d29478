using Middleware.Client;

namespace Middleware.Host.Tests.Telemetry;

/// <summary>
/// The host's metrics in a real Prometheus: sales made through the pipe show in its sales counter, scraped from the
/// operator web server's /metrics with the access key from a credentials file, as a Crous' Prometheus would.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrometheusScrapeTests
{
    private const int Sales = 3;

    [PrometheusFact]
    public async Task Prometheus_scraping_metrics_with_the_key_sees_the_sales_made_the_ticket_queue_and_the_upload_latency()
    {
        await using var web = await OperatorWebHost.StartAsync("--Telemetry:Enabled=true", "--Telemetry:Prometheus:Enabled=true");
        using var prometheus = PrometheusProcess.Start(Path.Combine(web.Host.Root, "prometheus"), web.BaseUrl, web.KeyFile);

        await using (var till = await web.Host.ConnectAsync())
        {
            for (var i = 0; i < Sales; i++)
            {
                await SellAsync(web.Host, till, "10000" + (16 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var committed = await WaitForAsync(prometheus, "sum(middleware_sales_total{outcome=\"committed\",payment_method=\"izly\",point_of_sale=\"5-1-9-8-14\"})", v => v == Sales, web);
        Assert.Equal(Sales, committed);
        // The tickets reach the sandbox's VEM: their uploads are timed, and the queue gauge says nothing is left.
        var uploads = await WaitForAsync(prometheus, "sum(middleware_tickets_upload_duration_seconds_count{result=\"accepted\"})", v => v >= Sales, web);
        Assert.True(uploads >= Sales);
        Assert.NotNull(await WaitForAsync(prometheus, "sum(middleware_tickets_upload_duration_seconds_bucket{le=\"+Inf\"})", v => v >= Sales, web));
        Assert.Equal(0, await WaitForAsync(prometheus, "sum(middleware_tickets_pending{point_of_sale=\"5-1-9-8-14\"})", v => v == 0, web));
        Assert.Equal(0, await WaitForAsync(prometheus, "sum(middleware_tickets_dead)", v => v == 0, web));
        Assert.NotNull(await WaitForAsync(prometheus, "sum(middleware_tickets_oldest_pending_age_seconds)", _ => true, web));
        // The pipe calls of the sales, and an active channel plugin.
        Assert.True(await WaitForAsync(prometheus, "sum(middleware_pipe_calls_total{method=\"sale.pay\",outcome=\"ok\"})", v => v >= Sales, web) >= Sales);
        Assert.Equal(1, await WaitForAsync(prometheus, "middleware_plugins_state{plugin=\"channel.qr\",state=\"Active\"}", v => v == 1, web));
    }

    private static async Task SellAsync(SaleHost host, MiddlewareClient till, string holder)
    {
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, host.Sandbox.IssueQrCode(holder));
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" });
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
    }

    // Polls Prometheus (it scrapes every second) until the query's value holds, 60 s at most.
    private static async Task<double?> WaitForAsync(PrometheusProcess prometheus, string promql, Func<double, bool> condition, OperatorWebHost web)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(prometheus.HasExited, "prometheus exited: " + prometheus.Output);
            last = await prometheus.QueryAsync(promql);
            if (last is { } value && condition(value))
            {
                return value;
            }

            await Task.Delay(250);
        }

        var metrics = await web.Client.GetStringAsync("/metrics");
        Assert.Fail($"Prometheus never answered {promql} as expected (last {last?.ToString() ?? "no series"}).\nTargets: {await prometheus.TargetsAsync()}\n/metrics:\n{metrics[..Math.Min(metrics.Length, 6000)]}");
        return null;
    }
}
