using System.Text;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Pipe.Tests.Server;

/// <summary>Bad input gets an error or a closed connection for that client alone; a bystander is served throughout.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Invalid_json_gets_a_parse_error_with_null_id_and_the_connection_keeps_working()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var bystander = await Bystander.StartAsync(harness);
        await using var raw = await harness.ConnectRawAsync();

        var error = await raw.CallAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"");
        var notAnObject = await raw.CallAsync("[1, 2");
        var ping = await raw.CallAsync("""{"jsonrpc":"2.0","id":2,"method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""");

        Assert.Equal(JsonValueKind.Null, error.GetProperty("id").ValueKind);
        Assert.Equal(-32700, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Message illisible : contactez le support.", error.GetProperty("error").GetProperty("message").GetString());
        Assert.Contains("not valid JSON", error.GetProperty("error").GetProperty("data").GetProperty("detail").GetString());
        Assert.Equal(-32700, notAnObject.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Demo A", ping.GetProperty("result").GetProperty("label").GetString());
        await bystander.AssertServedAsync();
    }

    [Fact]
    public async Task A_10_MB_line_closes_that_connection_only()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var bystander = await Bystander.StartAsync(harness);
        await using var raw = await harness.ConnectRawAsync();

        var huge = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" + new string('a', 10 * 1024 * 1024) + "\"}}\n");
        try
        {
            await raw.Stream.WriteAsync(huge);
            await raw.Stream.FlushAsync();
        }
        catch (IOException)
        {
            // The server may close before it has read everything: that is the expected outcome.
        }

        // Closed: end of stream, or a reset because the server dropped what it had not read.
        try
        {
            Assert.Null(await raw.ReadLineAsync());
        }
        catch (IOException)
        {
        }

        await bystander.AssertServedAsync();
        // A new connection is served normally.
        await using var again = await harness.ConnectAsync();
        await again.PingAsync();
    }

    [Fact]
    public async Task A_line_just_under_the_maximum_is_accepted()
    {
        await using var harness = await PipeServerHarness.StartAsync(s => s["Pipe:MaxMessageBytes"] = "65536");
        await using var client = await harness.ConnectAsync();

        var label = new string('a', 60_000);
        var result = await client.CallMutatingAsync<CountResult>("test.count", new { label, amount = 1 });

        Assert.Equal(label, result.Label);
    }

    [Fact]
    public async Task Unknown_method_answers_32601_with_a_french_message()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();

        var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallAsync("sales.fly"));

        Assert.Equal(-32601, error.Code);
        Assert.Equal("Fonction inconnue du middleware : vérifiez la version de la caisse.", error.CashierMessage);
        Assert.Contains("sales.fly", error.Detail);
    }

    [Fact]
    public async Task Wrong_parameter_types_answer_32602()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var bystander = await Bystander.StartAsync(harness);
        await using var client = await harness.ConnectAsync();

        var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallAsync("test.add", new { a = "two", b = new[] { 1 } }));
        var missing = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallAsync("test.add", new { a = 1 }));

        Assert.Equal(-32602, error.Code);
        Assert.Equal("Paramètres invalides : contactez le support.", error.CashierMessage);
        Assert.Equal(-32602, missing.Code);
        Assert.Equal(5, await client.CallAsync<int>("test.add", new { a = 2, b = 3 }));
        await bystander.AssertServedAsync();
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_message_affects_nobody()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var bystander = await Bystander.StartAsync(harness);

        for (var i = 0; i < 5; i++)
        {
            await using var raw = await harness.ConnectRawAsync();
            await raw.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""");
            Assert.NotNull(await raw.ReadLineAsync());
            var partial = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"test.co");
            await raw.Stream.WriteAsync(partial);
            await raw.Stream.FlushAsync();
        }

        await bystander.AssertServedAsync();
        Assert.Equal(0, harness.Target.CountCalls);
    }

    [Fact]
    public async Task A_hundred_clients_connecting_at_once_are_all_served()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var bystander = await Bystander.StartAsync(harness);

        var clients = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var client = await harness.ConnectAsync(i % 2 == 0 ? PipeServerHarness.PosA : PipeServerHarness.PosB);
            var who = await client.CallAsync<string>("test.whoami");
            await client.PingAsync();
            return (client, who, i);
        })));

        try
        {
            Assert.All(clients, c => Assert.StartsWith(c.i % 2 == 0 ? "1-1-1-1-1|" : "2-2-2-2-2|", c.who, StringComparison.Ordinal));
            Assert.True(harness.Server.Connections.Count >= 101);
        }
        finally
        {
            foreach (var (client, _, _) in clients)
            {
                await client.DisposeAsync();
            }
        }

        await bystander.AssertServedAsync();
    }

    /// <summary>A client that pings without pause while a test misbehaves, and counts failures.</summary>
    private sealed class Bystander : IAsyncDisposable
    {
        private readonly MiddlewareClient client;
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private int calls;
        private Exception? failure;

        private Bystander(MiddlewareClient client)
        {
            this.client = client;
            loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await client.PingAsync();
                        Interlocked.Increment(ref calls);
                        await Task.Yield();
                    }
                    catch (Exception ex)
                    {
                        failure ??= ex;
                        return;
                    }
                }
            });
        }

        public static async Task<Bystander> StartAsync(PipeServerHarness harness) => new(await harness.ConnectAsync(PipeServerHarness.PosB));

        public async Task AssertServedAsync()
        {
            var before = Volatile.Read(ref calls);
            // Served after the incident too: wait for a few more answers (bounded by the call timeout).
            while (Volatile.Read(ref calls) < before + 3 && failure is null && !loop.IsCompleted)
            {
                await Task.Delay(5);
            }

            Assert.Null(failure);
            Assert.True(Volatile.Read(ref calls) > 0);
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            await client.DisposeAsync();
            Assert.Null(failure);
        }
    }
}
