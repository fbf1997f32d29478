using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Middleware.Client;

namespace Middleware.Pipe.Tests.Idempotency;

public sealed class IdempotencyTests
{
    [Fact]
    public async Task The_same_request_id_twice_runs_the_method_once_and_replays_the_same_answer()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        var requestId = Guid.NewGuid();

        var first = await client.CallMutatingAsync("test.count", new { label = "coffee", amount = 120 }, requestId);
        // Same call from another connection of the same point of sale, members in another order.
        await using var other = await harness.ConnectAsync();
        var second = await other.CallMutatingAsync("test.count", new { amount = 120, label = "coffee" }, requestId);

        Assert.Equal(1, harness.Target.CountCalls);
        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(1, first.GetProperty("calls").GetInt32());
    }

    [Fact]
    public async Task The_same_request_id_with_other_parameters_is_refused_with_1004()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        var requestId = Guid.NewGuid();
        await client.CallMutatingAsync("test.count", new { label = "coffee", amount = 120 }, requestId);

        var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallMutatingAsync("test.count", new { label = "coffee", amount = 121 }, requestId));
        var otherMethod = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallMutatingAsync("test.refuse", new { amount = 120 }, requestId));

        Assert.Equal(1004, error.Code);
        Assert.Equal("Identifiant de demande déjà utilisé pour une autre opération.", error.CashierMessage);
        Assert.Equal(1004, otherMethod.Code);
        Assert.Equal(1, harness.Target.CountCalls);
        Assert.Equal(0, harness.Target.RefuseCalls);
    }

    [Fact]
    public async Task Request_ids_are_per_point_of_sale()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var a = await harness.ConnectAsync(PipeServerHarness.PosA);
        await using var b = await harness.ConnectAsync(PipeServerHarness.PosB);
        var requestId = Guid.NewGuid();

        var fromA = await a.CallMutatingAsync<CountResult>("test.count", new { label = "x", amount = 1 }, requestId);
        var fromB = await b.CallMutatingAsync<CountResult>("test.count", new { label = "x", amount = 1 }, requestId);

        Assert.Equal(1, fromA.Calls);
        Assert.Equal(2, fromB.Calls);
    }

    [Theory]
    [InlineData("""{"label":"x","amount":1}""")]
    [InlineData("""{"label":"x","amount":1,"requestId":"not-a-uuid"}""")]
    [InlineData("""{"label":"x","amount":1,"requestId":42}""")]
    [InlineData("""{"label":"x","amount":1,"requestId":"00000000-0000-0000-0000-000000000000"}""")]
    public async Task A_mutating_call_without_a_valid_request_id_is_refused_with_1003(string parameters)
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""");

        var answer = await raw.CallAsync($$"""{"jsonrpc":"2.0","id":2,"method":"test.count","params":{{parameters}}}""");

        Assert.Equal(1003, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Identifiant de demande manquant : contactez le support.", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0, harness.Target.CountCalls);
    }

    [Fact]
    public async Task A_middleware_error_is_an_answer_too_and_is_replayed()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        var requestId = Guid.NewGuid();

        var first = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallMutatingAsync("test.refuse", new { amount = 5 }, requestId));
        var second = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallMutatingAsync("test.refuse", new { amount = 5 }, requestId));

        Assert.Equal(1400, first.Code);
        Assert.Equal(second.Detail, first.Detail);
        Assert.Equal(1, harness.Target.RefuseCalls);
        Assert.Equal("Solde Izly insuffisant.", first.CashierMessage);
        Assert.Equal(1.5m, first.Payload!.Value.GetProperty("balance").GetDecimal());
        Assert.Equal(first.Code, second.Code);
        Assert.Equal(first.CashierMessage, second.CashierMessage);
        Assert.Equal(first.Detail, second.Detail);
        Assert.Equal(first.Payload!.Value.GetRawText(), second.Payload!.Value.GetRawText());
    }

    [Fact]
    public async Task A_replayed_answer_has_the_first_answers_bytes()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""");
        var requestId = Guid.NewGuid();
        // Characters a default JSON writer escapes (+, é, <) but the pipe writes as they are.
        var call = $$$"""{"jsonrpc":"2.0","id":2,"method":"test.note","params":{"requestId":"{{{requestId}}}","label":"Crêpe + café <b> 2026-11-26T12:00:00+01:00"}}""";
        var refusal = $$$"""{"jsonrpc":"2.0","id":3,"method":"test.refuse","params":{"requestId":"{{{Guid.NewGuid()}}}","amount":5}}""";

        await raw.SendAsync(call);
        var first = await raw.ReadLineAsync();
        await raw.SendAsync(call);
        var again = await raw.ReadLineAsync();
        await raw.SendAsync(refusal);
        var firstError = await raw.ReadLineAsync();
        await raw.SendAsync(refusal);
        var againError = await raw.ReadLineAsync();

        Assert.Equal("Crêpe + café <b> 2026-11-26T12:00:00+01:00", JsonDocument.Parse(first!).RootElement.GetProperty("result").GetProperty("label").GetString());
        Assert.Equal(first, again);
        Assert.Contains("\"code\":1400", firstError, StringComparison.Ordinal);
        Assert.Equal(firstError, againError);
        Assert.Equal(1, harness.Target.CountCalls);
    }

    [Fact]
    public async Task A_protocol_error_is_not_kept_so_a_corrected_call_may_reuse_the_id()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        var requestId = Guid.NewGuid();

        var bad = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallMutatingAsync("test.count", new { label = "x", amount = "lots" }, requestId));
        var good = await client.CallMutatingAsync<CountResult>("test.count", new { label = "x", amount = 3 }, requestId);

        Assert.Equal(-32602, bad.Code);
        Assert.Equal(new CountResult(1, "x", 3), good);
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_request_id_run_the_method_once()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => harness.ConnectAsync()));
        var requestId = Guid.NewGuid();
        try
        {
            var answers = await Task.WhenAll(clients.SelectMany(c => Enumerable.Range(0, 4).Select(_ =>
                c.CallMutatingAsync<CountResult>("test.count", new { label = "same", amount = 7 }, requestId))));

            Assert.Equal(1, harness.Target.CountCalls);
            Assert.All(answers, a => Assert.Equal(new CountResult(1, "same", 7), a));
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("test.count")] // kept with synchronous=FULL (the default)
    [InlineData("test.note")] // kept at process-crash durability (synchronous=NORMAL), like the edits of an open sale
    public async Task First_answers_survive_a_server_restart(string method)
    {
        var pipeName = PipeServerHarness.NewPipeName();
        var databasePath = PipeServerHarness.NewDatabasePath();
        var requestId = Guid.NewGuid();
        object Params(string label) => method == "test.note" ? new { label } : new { label, amount = 1 };
        JsonElement first;
        await using (var harness = await PipeServerHarness.StartAsync(pipeName: pipeName, databasePath: databasePath))
        {
            await using var client = await harness.ConnectAsync();
            first = await client.CallMutatingAsync(method, Params("before restart"), requestId);
        }

        await using var restarted = await PipeServerHarness.StartAsync(pipeName: pipeName, databasePath: databasePath);
        await using var again = await restarted.ConnectAsync();
        var replay = await again.CallMutatingAsync(method, Params("before restart"), requestId);
        var reused = await Assert.ThrowsAsync<MiddlewareRpcException>(() => again.CallMutatingAsync(method, Params("changed"), requestId));

        Assert.Equal(0, restarted.Target.CountCalls);
        Assert.Equal(first.GetRawText(), replay.GetRawText());
        Assert.Equal(1004, reused.Code);
    }

    [Fact]
    public async Task Answers_are_kept_for_the_retention_then_purged()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using var harness = await PipeServerHarness.StartAsync(s => s["Pipe:IdempotencyPurgeInterval"] = "01:00:00", timeProvider: time);
        await using var client = await harness.ConnectAsync();
        var requestId = Guid.NewGuid();
        await client.CallMutatingAsync("test.count", new { label = "x", amount = 1 }, requestId);
        var store = new Middleware.Pipe.Idempotency.IdempotencyStore(harness.DatabasePath, time);

        time.Advance(TimeSpan.FromDays(6) + TimeSpan.FromHours(23));
        await client.CallMutatingAsync("test.count", new { label = "x", amount = 1 }, requestId);
        Assert.Equal(1, harness.Target.CountCalls);
        Assert.Equal(1, await store.CountAsync(CancellationToken.None));

        time.Advance(TimeSpan.FromHours(2));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await store.CountAsync(CancellationToken.None) != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, await store.CountAsync(CancellationToken.None));
    }
}
