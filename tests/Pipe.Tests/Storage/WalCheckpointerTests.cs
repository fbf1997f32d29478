using Microsoft.Extensions.Time.Testing;
using Middleware.Pipe.Idempotency;
using Middleware.Storage;

namespace Middleware.Pipe.Tests.Storage;

/// <summary>
/// The WAL of a store is copied into its database file by the background checkpointer, a delay after the writes, and
/// never by the commit of a till's call (SQLite's own auto-checkpoint is off). Seen from outside: the database file does
/// not grow while answers pile up in the WAL, then grows once the delay has passed.
/// </summary>
public sealed class WalCheckpointerTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-wal-tests", Guid.NewGuid().ToString("N"));

    public WalCheckpointerTests() => Directory.CreateDirectory(dir);

    [Fact]
    public async Task Answers_stay_in_the_wal_past_sqlites_checkpoint_size_until_the_background_checkpoint_copies_them()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var path = Path.Combine(dir, "idempotency.db");
        var store = new IdempotencyStore(path, time);
        await store.InitializeAsync(default);
        var emptySize = new FileInfo(path).Length;
        var body = new string('x', 3000); // about one page of WAL per answer, plus the index page

        // 1,200 answers: well past SQLite's default auto-checkpoint (1,000 WAL pages).
        for (var i = 0; i < 1200; i++)
        {
            await store.TryAddAsync("1-1-1-1-1", Guid.NewGuid().ToString("D"), new StoredAnswer("test.note", "h", false, body, time.GetUtcNow()), durable: false, default);
        }

        Assert.Equal(emptySize, new FileInfo(path).Length);
        Assert.True(new FileInfo(path + "-wal").Length > 1000 * 4096, "the answers are in the WAL");

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(new FileInfo(path).Length > 1200 * 3000, $"the checkpoint copied the WAL into the database file ({new FileInfo(path).Length} bytes)");
        Assert.Equal(1200, await store.CountAsync(default));
    }

    [Fact]
    public void A_checkpoint_of_a_missing_file_is_skipped_without_creating_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var path = Path.Combine(dir, "gone.db");
        var checkpointer = new WalCheckpointer(path, time);

        checkpointer.NoteWrite();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(File.Exists(path));
        Assert.Equal(0, checkpointer.Checkpoints);
    }

    [Fact]
    public void Writes_within_the_delay_share_one_checkpoint()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var path = Path.Combine(dir, "shared.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (x);";
            command.ExecuteNonQuery();
        }

        var checkpointer = new WalCheckpointer(path, time);
        checkpointer.NoteWrite();
        time.Advance(TimeSpan.FromMilliseconds(500));
        checkpointer.NoteWrite();
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, checkpointer.Checkpoints);

        checkpointer.NoteWrite();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, checkpointer.Checkpoints);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
