using Microsoft.Extensions.Time.Testing;
using Middleware.Pipe.Idempotency;
using Middleware.Storage;

namespace Middleware.Pipe.Tests.Storage;

/// <summary>
/// The WAL of a store is copied into its database file by the background checkpointer, a delay after the writes, and
/// never by the commit of a till's call (SQLite's own auto-checkpoint is off). Seen from outside: the database file does
/// not grow while answers pile up in the WAL, then grows once the delay has passed.
/// </summary>
public sealed class WalCheckpointerTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mw-wal-tests", Guid.NewGuid().ToString("N"))).FullName;

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

    /// <summary>Under a steady stream of commits a PASSIVE checkpoint never catches up with the last frame, so the next
    /// writer never starts the WAL over: it grew by about 20 MB a second in the sale benchmark. Past the restart size the
    /// checkpointer makes the WAL start over; the same stream of commits then keeps reusing the start of the file.</summary>
    [Fact]
    public async Task A_wal_written_without_pause_is_started_over_past_the_restart_size_instead_of_growing()
    {
        var passiveOnly = await WriteWithoutPauseAsync("passive.db", restartAboveFrames: long.MaxValue);
        var restarting = await WriteWithoutPauseAsync("restart.db", restartAboveFrames: 1000);

        // 12,000 commits of one 3,000-byte row: about 36,000 frames, 150 MB, if the WAL were never started over. How
        // much passive checkpoints alone let it grow depends on the timing (whether a checkpoint ever ends between two
        // commits): printed, not asserted.
        output.WriteLine($"passive only: {passiveOnly.WalBytes:N0} bytes of WAL after {passiveOnly.Checkpoints} checkpoints; restarting: {restarting.WalBytes:N0} bytes after {restarting.Checkpoints} checkpoints, {restarting.Restarts} restarts");
        Assert.True(restarting.Restarts >= 1, $"{restarting.Checkpoints} checkpoints, none restarted the WAL");
        Assert.True(restarting.WalBytes < 24_000_000, $"the WAL grew to {restarting.WalBytes:N0} bytes with restarts above 1,000 frames");
    }

    private async Task<(long WalBytes, int Checkpoints, int Restarts)> WriteWithoutPauseAsync(string name, long restartAboveFrames)
    {
        var path = Path.Combine(dir, name);
        using var writer = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        writer.Open();
        using var command = writer.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " + WalCheckpointer.DisableAutoCheckpoint + " CREATE TABLE t (x BLOB);";
        command.ExecuteNonQuery();
        var checkpointer = new WalCheckpointer(path, TimeProvider.System, TimeSpan.FromMilliseconds(10), restartAboveFrames);
        command.CommandText = "INSERT INTO t VALUES (randomblob(3000));";
        for (var i = 0; i < 12_000; i++)
        {
            command.ExecuteNonQuery();
            checkpointer.NoteWrite();
            if (i % 50 == 49)
            {
                // A short pause now and then, as between tills' calls, lets the checkpoint timer run meanwhile.
                await Task.Delay(1);
            }
        }

        return (new FileInfo(path + "-wal").Length, checkpointer.Checkpoints, checkpointer.Restarts);
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
