using Middleware.PluginHost.Threads;

namespace Middleware.PluginHost.Tests.Threads;

/// <summary>The threads a plugin version's code runs on: reused when idle, a new one when all are busy, the caller's
/// execution context for each item, and none left once closed.</summary>
public sealed class PluginWorkersTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_idle_thread_is_reused_in_each_callers_context_and_closing_ends_it()
    {
        var workers = new PluginWorkers("plugin test");
        var local = new AsyncLocal<string>();
        Thread? first = null;
        Thread? second = null;

        local.Value = "first caller";
        var seen1 = await RunAsync(workers, () => { first = Thread.CurrentThread; return local.Value; });
        await WaitUntilIdleAsync(first!);
        local.Value = "second caller";
        var seen2 = await RunAsync(workers, () => { second = Thread.CurrentThread; return local.Value; });

        Assert.Equal(("first caller", "second caller"), (seen1, seen2));
        Assert.Same(first, second);
        Assert.NotSame(Thread.CurrentThread, first);
        Assert.True(first!.IsBackground);
        Assert.Equal("plugin test", first.Name);

        workers.Close();
        Assert.True(first.Join(Patience), "the idle thread did not end when closed");
    }

    [Fact]
    public async Task A_busy_thread_never_delays_the_next_item_and_ends_once_it_returns_after_closing()
    {
        var workers = new PluginWorkers("plugin test");
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        Thread? busy = null;
        var blocked = RunAsync(workers, () =>
        {
            busy = Thread.CurrentThread;
            entered.Set();
            release.Wait(Patience); // a plugin holding its thread
            return 1;
        });
        Assert.True(entered.Wait(Patience));

        var other = await RunAsync(workers, () => Thread.CurrentThread).WaitAsync(Patience);

        Assert.False(blocked.IsCompleted);
        Assert.NotSame(busy, other);
        workers.Close();
        Assert.True(other.Join(Patience), "the idle thread did not end when closed");
        Assert.True(busy!.IsAlive);
        release.Set();
        Assert.Equal(1, await blocked.WaitAsync(Patience));
        Assert.True(busy.Join(Patience), "the busy thread did not end after its work");
    }

    [Fact]
    public async Task After_closing_an_item_still_runs_on_a_thread_that_ends_with_it()
    {
        var workers = new PluginWorkers("plugin test");
        workers.Close();

        var thread = await RunAsync(workers, () => Thread.CurrentThread).WaitAsync(Patience);

        Assert.True(thread.Join(Patience));
    }

    /// <summary>Polls (bounded) until the thread waits for work again, back in the idle list.</summary>
    private static async Task WaitUntilIdleAsync(Thread thread)
    {
        var deadline = DateTime.UtcNow + Patience;
        while ((thread.ThreadState & ThreadState.WaitSleepJoin) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the thread never went idle");
            await Task.Delay(5);
        }
    }

    private static Task<T> RunAsync<T>(PluginWorkers workers, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        workers.Run(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }
}
