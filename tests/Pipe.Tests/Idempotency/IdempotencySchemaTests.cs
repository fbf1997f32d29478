using Microsoft.Extensions.Time.Testing;
using Middleware.Pipe.Idempotency;
using Middleware.Storage;
using Middleware.Tests.Storage;

namespace Middleware.Pipe.Tests.Idempotency;

/// <summary>The idempotency file of v0.1.0 (Fixtures/v0.1.0/idempotency.db: three first answers, one an error, written by
/// v0.1.0's own code) opened by this build, and one a newer build wrote.</summary>
public sealed class IdempotencySchemaTests : IDisposable
{
    private readonly string dir = StoreFixtureFiles.CopyV010("mw-idempotency-schema-");
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 3, 18, 12, 0, 0, TimeSpan.Zero));

    private string DbPath => Path.Combine(dir, "idempotency.db");

    public void Dispose() => StoreFixtureFiles.Delete(dir);

    [Fact]
    public async Task A_v010_store_is_migrated_and_replays_its_first_answers()
    {
        Assert.Null(StoreFixtureFiles.VersionOf(DbPath, "idempotency"));
        var store = new IdempotencyStore(DbPath, time);

        await store.InitializeAsync(default);

        Assert.Equal(IdempotencySchema.Schema.Latest, StoreFixtureFiles.VersionOf(DbPath, "idempotency"));
        var open = await store.FindAsync("5-1-9-8-14", "11111111-1111-1111-1111-111111111111", default);
        Assert.Equal(("sale.open", false, "{\"saleId\":\"sale-1\",\"state\":\"Open\"}", new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero)),
            (open!.Method, open.IsError, open.AnswerJson, open.CreatedAt));
        var error = await store.FindAsync("5-1-9-8-14", "22222222-2222-2222-2222-222222222222", default);
        Assert.Equal(("sale.pay", true, new string('b', 64)), (error!.Method, error.IsError, error.ParamsHash));
        Assert.Equal("sale.open", (await store.FindAsync("5-1-9-8-15", "11111111-1111-1111-1111-111111111111", default))!.Method);
        Assert.False(await store.TryAddAsync("5-1-9-8-14", "11111111-1111-1111-1111-111111111111",
            new StoredAnswer("sale.open", new string('z', 64), false, "{}", time.GetUtcNow()), durable: true, default));
        Assert.Equal(3, await store.PurgeAsync(time.GetUtcNow(), default));
    }

    [Fact]
    public async Task A_store_of_a_newer_version_is_refused_by_name_and_left_byte_identical()
    {
        StoreFixtureFiles.SetVersion(DbPath, "idempotency", IdempotencySchema.Schema.Latest + 1);
        var before = File.ReadAllBytes(DbPath);
        var store = new IdempotencyStore(DbPath, time);

        var e = await Assert.ThrowsAsync<StoreSchemaException>(() => store.InitializeAsync(default));

        Assert.Equal(
            $"{DbPath}: the idempotency store is at schema version 2, newer than the highest this build knows (1). "
            + "A newer middleware wrote it; run that version, or restore the backup taken before the upgrade. The file was not changed.",
            e.Message);
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }
}
