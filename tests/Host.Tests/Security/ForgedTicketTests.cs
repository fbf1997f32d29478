using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Middleware.Host.Tests.Security;

/// <summary>
/// Issue #18, attack 3, re-run as the attacker did it: a till wrote <c>tickets.submit</c> on the raw pipe with a sale
/// "paid by Izly" (codeReglement 9) whose Izly transaction never existed, and VEM stored the ticket. The real host
/// (its own process, embedded sandbox) must answer -32601 and neither its outbox nor the sandbox's VEM may hold a ticket.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ForgedTicketTests
{
    private const string Forged = """
        {"jsonrpc":"2.0","id":2,"method":"tickets.submit","params":{"requestId":"6f1f3c1e-8d5b-4a57-9d0e-2f7c1d2b9a11","sale":{
        "lines":[{"codeArticle":1201,"unitPriceTtc":3.30,"label":"Repas complet"}],
        "payment":{"codeReglement":9,"idSupport":"36000001","idTransactionIzly":"FORGED-999","numeroApplicatif":"04A1B2C3D4E5F6"},
        "customer":{"codeClient":"forged","balanceAfter":10,"codeSociete":10,"tarif":2,"idSupport":"36000001"},
        "distribution":"OnSite"}}}
        """;

    [Fact]
    public async Task A_raw_tickets_submit_is_answered_method_not_found_and_nothing_reaches_the_outbox_or_vem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // a Unix socket; the method table itself is checked on every OS by Pipe.Tests' MethodListTests
        }

        var installation = new InstallationFolder();
        var arguments = installation.Arguments();
        var port = arguments.Single(a => a.StartsWith("--Sandbox:Port=", StringComparison.Ordinal))["--Sandbox:Port=".Length..];
        await using var host = HostProcess.Start(arguments);
        await host.WaitUntilServingAsync(installation.SocketPath, InstallationFolder.PointOfSale, TimeSpan.FromSeconds(90));

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(installation.SocketPath));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        async Task<JsonElement> CallAsync(string line)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line.ReplaceLineEndings("") + "\n"), timeout.Token);
            var answer = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the host closed the pipe");
            return JsonDocument.Parse(answer).RootElement.Clone();
        }

        var hello = await CallAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"{{{InstallationFolder.PointOfSale}}}"}}""");
        Assert.True(hello.TryGetProperty("result", out var helloResult), hello.ToString());
        Assert.DoesNotContain(helloResult.GetProperty("capabilities").EnumerateArray(), c => c.GetString() == "tickets.submit");

        var answer = await CallAsync(Forged);

        Assert.Equal(2, answer.GetProperty("id").GetInt32());
        Assert.Equal(-32601, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.False(answer.TryGetProperty("result", out _), answer.ToString());

        // The old method committed synchronously: had it run, the outbox would hold the ticket now.
        var outbox = (await CallAsync("""{"jsonrpc":"2.0","id":3,"method":"outbox.status","params":{}}""")).GetProperty("result");
        Assert.Equal(0, outbox.GetProperty("pending").GetInt32() + outbox.GetProperty("sent").GetInt32() + outbox.GetProperty("dead").GetInt32());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var stored = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/_sandbox/tickets", timeout.Token)).RootElement;
        Assert.Equal(JsonValueKind.Array, stored.ValueKind);
        Assert.Empty(stored.EnumerateArray());

        // The connection and the host live on: a refused method is an answer, not a crash.
        var ping = await CallAsync("""{"jsonrpc":"2.0","id":4,"method":"ping","params":{}}""");
        Assert.True(ping.TryGetProperty("result", out _), ping.ToString());
        Assert.False(host.HasExited);
    }
}
