using Middleware.Client;

namespace Middleware.Pipe.Tests.Client;

public sealed class ClientRetryTests
{
    [Fact]
    public async Task A_mutating_call_that_times_out_is_retried_with_the_same_request_id_and_runs_once()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        MiddlewareClientOptions? options = null;
        await using var client = await harness.ConnectAsync(configure: o =>
        {
            options = o;
            o.MutatingAttempts = 20;
        });

        // The short timeout only once connected: a first hello on a loaded machine (JIT, CI) may take longer than it.
        options!.CallTimeout = TimeSpan.FromMilliseconds(500);
        var firstConnection = client.HelloInfo!.ConnectionId;

        var call = client.CallMutatingAsync<int>("test.slow");
        await harness.Target.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // The first attempt is stuck in the method; wait until the client gave up and came back on a new connection.
        while (client.HelloInfo is null || client.HelloInfo.ConnectionId == firstConnection)
        {
            await Task.Delay(10);
        }

        harness.Target.ReleaseSlow.SetResult();
        var answer = await call.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(42, answer);
        Assert.Equal(1, harness.Target.SlowCalls);
    }

    [Fact]
    public async Task A_caller_supplied_request_id_is_sent_as_is()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        var requestId = Guid.NewGuid();

        var first = await client.CallMutatingAsync<CountResult>("test.count", new { label = "a", amount = 1, requestId = requestId.ToString() });
        var second = await client.CallMutatingAsync<CountResult>("test.count", new { label = "a", amount = 1 }, requestId);

        Assert.Equal(first, second);
        Assert.Equal(1, harness.Target.CountCalls);
    }
}
