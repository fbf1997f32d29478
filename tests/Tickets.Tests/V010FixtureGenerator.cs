using Microsoft.Data.Sqlite;
using Xunit;
using Middleware.Tickets.Sending;

namespace Middleware.Tickets.Tests;

/// <summary>Writes the v0.1.0 fixture store with main's code at fb181b5 (run once, with MW_FIXTURE_OUT set).</summary>
public sealed class V010FixtureGenerator
{
    [Fact]
    public async Task Write()
    {
        var dir = Environment.GetEnvironmentVariable("MW_FIXTURE_OUT");
        if (dir is null)
        {
            return;
        }

        Directory.CreateDirectory(dir);
        await using (var f = new TicketFixture(directory: dir))
        {
            await f.CommitAsync("req-1");
            await f.CommitAsync("req-2");
            await f.CommitAsync("req-3", pos: TicketFixture.Pos2);
            f.Uploader.Behaviour = (pos, t) => pos == TicketFixture.Pos1 && t.IdTicketEntete == "2"
                ? TicketUploadResponse.Rejected("422", "refused by the fixture") : TicketUploadResponse.Integrated;
            await f.DrainReadyAsync();
            await f.Closings.CloseAsync("day", "5-1-9-8-14", "fixture", CancellationToken.None);
            f.Time.Advance(TimeSpan.FromDays(1));
            await f.CommitAsync("req-4");
            Assert.True((await f.Journal.VerifyAsync(true, CancellationToken.None)).Intact);
        }

        SqliteConnection.ClearAllPools();
        using (var c = new SqliteConnection("Data Source=" + Path.Combine(dir, "tickets.db")))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }
}
