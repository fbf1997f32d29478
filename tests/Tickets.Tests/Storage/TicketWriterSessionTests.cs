using Middleware.Domain.Errors;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Storage;
using Xunit;

namespace Middleware.Tickets.Tests.Storage;

/// <summary>
/// The ticket writer's kept FULL connection (a session of <see cref="TicketDatabase.Sessions"/>), on a real outbox file:
/// commits one after the other reuse it and its prepared statements; a batch that fails in SQLite closes it, and the
/// next commit runs on a fresh one, with the numbering and the journal chain intact.
/// </summary>
public sealed class TicketWriterSessionTests
{
    [Fact]
    public async Task Commits_reuse_the_writers_connection_and_each_ticket_has_its_journal_entry()
    {
        await using var f = new TicketFixture();
        for (var i = 1; i <= 30; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (await f.CommitAsync("req-" + i)).IdTicketEntete);
        }

        Assert.Equal(1, f.Db.Sessions.ConnectionsOpened);
        Assert.Equal((30L, 30L), (Count(f, "SELECT COUNT(*) FROM tickets"), Count(f, $"SELECT COUNT(*) FROM journal WHERE kind = '{JournalKinds.Ticket}'")));
    }

    [Fact]
    public async Task A_batch_failing_in_sqlite_closes_the_writers_connection_and_the_next_commit_opens_a_fresh_one()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("before");
        using (var c = f.Db.Open(durable: true))
        {
            TicketDatabase.Execute(c, "CREATE TRIGGER refuse_boom BEFORE INSERT ON tickets WHEN NEW.request_id = 'boom' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
        }

        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("boom"));
        Assert.Equal(ErrorCode.InternalError, ex.Code);
        var after = await f.CommitAsync("after");

        Assert.Equal("2", after.IdTicketEntete); // the refused batch consumed no number
        Assert.Equal(2, f.Db.Sessions.ConnectionsOpened);
        Assert.Equal(2L, Count(f, $"SELECT COUNT(*) FROM journal WHERE kind = '{JournalKinds.Ticket}'"));
    }

    private static long Count(TicketFixture f, string sql)
    {
        using var c = f.Db.Open(durable: true);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
