using Microsoft.Extensions.Time.Testing;
using Middleware.Pipe.Idempotency;

namespace Middleware.Pipe.Tests.Idempotency;

/// <summary>The store of first answers on its session pool, on a real file: answers stored and found again through a
/// few kept connections; only durable answers (and purges) take a FULL one; disposing closes them.</summary>
public sealed class IdempotencyStoreSessionTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-idem-session-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Answers_go_through_kept_connections_and_only_durable_ones_take_a_full_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        var store = new IdempotencyStore(Path.Combine(dir, "idempotency.db"), time);
        await store.InitializeAsync(default);
        Assert.Equal((1, 0), store.Sessions.Idle); // the first connection (FULL) set WAL mode

        for (var i = 0; i < 40; i++)
        {
            var answer = new StoredAnswer("sale.open", "hash-" + i, i % 2 == 0, "{\"n\":" + i + "}", time.GetUtcNow());
            Assert.True(await store.TryAddAsync("5-1-9-8-14", "req-" + i, answer, durable: false, default));
            Assert.False(await store.TryAddAsync("5-1-9-8-14", "req-" + i, answer with { ParamsHash = "other" }, durable: false, default));
            var found = await store.FindAsync("5-1-9-8-14", "req-" + i, default);
            Assert.Equal(answer, found);
        }

        Assert.Null(await store.FindAsync("5-1-9-8-14", "never", default));
        Assert.Equal((1, 1), store.Sessions.Idle);
        Assert.True(await store.TryAddAsync("5-1-9-8-14", "durable", new StoredAnswer("sale.pay", "h", false, "{}", time.GetUtcNow()), durable: true, default));
        Assert.Equal(41L, await store.CountAsync(default));
        Assert.Equal(41, await store.PurgeAsync(time.GetUtcNow().AddSeconds(1), default));
        Assert.Equal(2, store.Sessions.ConnectionsOpened);

        store.Dispose();
        Assert.Equal((0, 0), store.Sessions.Idle);
        Assert.Equal(0L, await store.CountAsync(default)); // a late call still completes, on a connection closed after it
        Assert.Equal((0, 0), store.Sessions.Idle);
    }
}
