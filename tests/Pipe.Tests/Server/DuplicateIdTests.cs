using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Middleware.Pipe.Tests.Server;

/// <summary>A call reusing the id of a call in flight gets a clear error and costs one warning at most; repeated errors of
/// one connection are rate-limited in the log (two calls with one id used to log an ERR stack trace each: 100 MB in 2 min).</summary>
public sealed class DuplicateIdTests(ITestOutputHelper output)
{
    private const string Hello = """{"jsonrpc":"2.0","id":"h","method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""";

    [Fact]
    public async Task A_duplicate_in_flight_id_gets_invalid_request_and_one_warning_without_stack_trace()
    {
        var logs = new LogCapture();
        await using var harness = await PipeServerHarness.StartAsync(logs: logs);
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync(Hello);

        await raw.SendAsync("""{"jsonrpc":"2.0","id":7,"method":"test.slow","params":{"requestId":"5d0f6a51-3f43-4f0e-9a55-0c8f5e4b7a10"}}""");
        await harness.Target.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var duplicate = await raw.CallAsync("""{"jsonrpc":"2.0","id":7,"method":"ping"}""");

        Assert.Equal(7, duplicate.GetProperty("id").GetInt32());
        Assert.Equal(-32600, duplicate.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("already in flight", duplicate.GetProperty("error").GetProperty("data").GetProperty("detail").GetString());
        var warning = Assert.Single(logs.Entries, e => e.Message.Contains("in flight", StringComparison.Ordinal));
        Assert.Equal((LogLevel.Warning, null), (warning.Level, warning.Exception));

        // The first call is untouched, and the id is free again once it is answered.
        harness.Target.ReleaseSlow.SetResult();
        Assert.Equal(42, (await raw.ReadJsonAsync()).GetProperty("result").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await raw.CallAsync("""{"jsonrpc":"2.0","id":7,"method":"ping"}""")).GetProperty("result").ValueKind);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    /// <summary>The id is freed before the answer is written: it used to be freed after the write, so a till reusing it as
    /// soon as it read the answer was sometimes told it was still in flight (seen under load in CI).</summary>
    [Fact]
    public async Task An_id_reused_as_soon_as_its_answer_is_read_is_never_in_flight()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync(Hello);

        for (var i = 0; i < 3000; i++)
        {
            var answer = await raw.CallAsync("""{"jsonrpc":"2.0","id":9,"method":"test.echo","params":{"text":"x"}}""");
            Assert.False(answer.TryGetProperty("error", out var error), $"call {i}: {error}");
        }
    }

    [Fact]
    public async Task Ten_thousand_duplicate_id_calls_write_a_bounded_number_of_log_entries()
    {
        var logs = new LogCapture();
        await using var harness = await PipeServerHarness.StartAsync(logs: logs);
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync(Hello);
        await raw.SendAsync("""{"jsonrpc":"2.0","id":7,"method":"test.slow","params":{"requestId":"5d0f6a51-3f43-4f0e-9a55-0c8f5e4b7a10"}}""");
        await harness.Target.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var before = logs.Entries.Count;

        const int Duplicates = 10_000;
        var batch = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\n", 100)));
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Duplicates / 100; i++)
            {
                await raw.Stream.WriteAsync(batch);
            }
        });
        for (var i = 0; i < Duplicates; i++)
        {
            var answer = await raw.ReadJsonAsync();
            Assert.Equal(-32600, answer.GetProperty("error").GetProperty("code").GetInt32());
        }

        await writer;
        var written = logs.Entries.Count - before;
        var connection = Assert.Single(harness.Server.Connections);
        output.WriteLine($"{Duplicates} duplicate-id calls: {written} log entries, {connection.SuppressedLogEntries} left out");
        Assert.InRange(written, 1, 25);
        Assert.Equal(Duplicates, logs.Entries.Skip(before).Count(e => e.Message.Contains("in flight", StringComparison.Ordinal)) + connection.SuppressedLogEntries);
        Assert.All(logs.Entries, e => Assert.Null(e.Exception));

        harness.Target.ReleaseSlow.SetResult();
        Assert.Equal(42, (await raw.ReadJsonAsync()).GetProperty("result").GetInt32());
    }
}
