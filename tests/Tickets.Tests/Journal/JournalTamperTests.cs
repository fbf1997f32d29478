using Microsoft.Data.Sqlite;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Sending;
using Xunit;

namespace Middleware.Tickets.Tests.Journal;

/// <summary>The journal on a real SQLite file, edited behind the host's back as an attacker with the file would:
/// each change is found and named.</summary>
public sealed class JournalTamperTests
{
    [Fact]
    public async Task Committed_tickets_are_journaled_chained_and_signed_and_verify_intact()
    {
        await using var f = new TicketFixture();
        for (var i = 0; i < 5; i++)
        {
            await f.CommitAsync($"r-{i}", pos: i % 2 == 0 ? TicketFixture.Pos1 : TicketFixture.Pos2);
        }

        var result = await f.Journal.VerifyAsync(signatures: true, CancellationToken.None);
        Assert.True(result.Intact, string.Join("; ", result.Problems.Select(p => p.Detail)));
        Assert.Equal(6, result.Entries); // the key entry, then the five tickets
        Assert.Equal([f.JournalWriter.Key.KeyId], result.KeyIds);
        using var c = Open(f);
        var entries = JournalStore.Read(c).ToList();
        Assert.Equal(JournalKinds.Key, entries[0].Kind);
        Assert.All(entries.Skip(1), e => Assert.Equal(JournalKinds.Ticket, e.Kind));
        Assert.Equal(entries.Take(5).Select(e => e.Hash), entries.Skip(1).Select(e => e.PrevHash));
        // The head file anchors the last entry.
        var (head, error) = JournalHeadAnchor.Read(f.JournalOptions.HeadFile!);
        Assert.Null(error);
        Assert.Equal((6L, entries[^1].Hash), (head!.Seq, head.Hash));
    }

    [Fact]
    public async Task The_store_refuses_updates_and_deletes_of_the_journal()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r-1");
        using var c = Open(f);
        var update = Assert.Throws<SqliteException>(() => Exec(c, "UPDATE journal SET body = '{}' WHERE seq = 2"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Throws<SqliteException>(() => Exec(c, "DELETE FROM journal WHERE seq = 2"));
    }

    [Fact]
    public async Task An_edited_row_is_found_and_named()
    {
        await using var f = await WithTicketsAsync(4);
        Tamper(f, "UPDATE journal SET body = replace(body, '\"montant\":2.80', '\"montant\":0.80') WHERE seq = 3");

        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        var problem = Assert.Single(result.Problems, p => p.Kind == JournalProblemKinds.Edited);
        Assert.Equal(3, problem.Seq);
        Assert.Contains("5-1-9-8-14", problem.Detail, StringComparison.Ordinal);
        // The outbox still holds the real ticket: it no longer matches the journal either.
        Assert.Contains(result.Problems, p => p.Kind == JournalProblemKinds.TicketEdited && p.Seq == 3);
    }

    [Fact]
    public async Task A_row_rewritten_with_a_recomputed_hash_but_no_key_fails_its_signature()
    {
        await using var f = await WithTicketsAsync(3);
        using (var c = Open(f))
        {
            DropTriggers(c);
            var e = JournalStore.Read(c, 4, 4).Single();
            var body = e.Body.Replace("\"montant\":2.80", "\"montant\":0.80", StringComparison.Ordinal);
            var hash = JournalHash.Compute(e.PrevHash, e.Seq, e.At, e.Kind, e.PointOfSale, e.Reference, body);
            Exec(c, $"UPDATE journal SET body = '{body.Replace("'", "''", StringComparison.Ordinal)}', hash = '{hash}' WHERE seq = 4");
        }

        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        Assert.Contains(result.Problems, p => p.Kind == JournalProblemKinds.BadSignature && p.Seq == 4);
        Assert.DoesNotContain(result.Problems, p => p.Kind == JournalProblemKinds.Edited);
        // Without signatures (the quick check) the rewrite is not seen in the chain: it is in the outbox cross-check.
        var quick = await f.Journal.VerifyAsync(false, CancellationToken.None);
        Assert.DoesNotContain(quick.Problems, p => p.Kind == JournalProblemKinds.BadSignature);
        Assert.Contains(quick.Problems, p => p.Kind == JournalProblemKinds.TicketEdited);
    }

    [Fact]
    public async Task A_deleted_row_is_found_and_named()
    {
        await using var f = await WithTicketsAsync(5);
        Tamper(f, "DELETE FROM journal WHERE seq = 3");

        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        var problem = Assert.Single(result.Problems, p => p.Kind == JournalProblemKinds.Deleted);
        Assert.Equal(3, problem.Seq);
        Assert.Equal("entry 3 is missing", problem.Detail);
        Assert.Contains(result.Problems, p => p.Kind == JournalProblemKinds.TicketNotJournaled);
    }

    [Fact]
    public async Task A_truncated_journal_is_found_against_its_head()
    {
        await using var f = await WithTicketsAsync(5);
        Tamper(f, "DELETE FROM journal WHERE seq > 4", "DELETE FROM tickets WHERE id > 3");

        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(JournalProblemKinds.Truncated, problem.Kind);
        Assert.Equal("the journal ends at entry 4; entries 5 to 6 were written and are gone (the head file)", problem.Detail);
    }

    [Fact]
    public async Task A_journal_cut_then_grown_past_its_old_head_is_still_found()
    {
        await using var f = await WithTicketsAsync(5);
        Tamper(f, "DELETE FROM journal WHERE seq > 4", "DELETE FROM tickets WHERE id > 3", "UPDATE pos_sequence SET last_id = 3, day_seq = 3");

        await f.RestartAsync(); // the numbering reloads what the attacker left
        f.Time.Advance(TimeSpan.FromMinutes(5)); // new sales: other tickets than the ones cut
        for (var i = 0; i < 4; i++)
        {
            await f.CommitAsync($"after-{i}"); // the journal grows to entry 8, past the old head (6)
        }

        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        var problem = Assert.Single(result.Problems, p => p.Kind != JournalProblemKinds.TicketEdited);
        Assert.True(problem.Kind == JournalProblemKinds.Truncated, string.Join(" | ", Directory.GetFiles(f.Directory)) + " / " + string.Join(" | ", result.Problems.Select(p => p.Detail)));
        Assert.Equal(6L, problem.Seq);
        Assert.Contains("cut and written again", problem.Detail, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(f.Directory, "journal.head.evidence-*"));
    }

    [Fact]
    public async Task A_journal_re_signed_with_another_key_is_found_before_the_host_appends_again()
    {
        await using var f = await WithTicketsAsync(3);
        var attacker = JournalSigningKey.FromSeed(new byte[32]);
        using (var c = Open(f))
        {
            var entries = JournalStore.Read(c).Where(e => e.Kind != JournalKinds.Key).ToList();
            DropTriggers(c);
            Exec(c, "DELETE FROM journal");
            var writer = new JournalWriter(attacker, new JournalHeadAnchor(f.JournalOptions.HeadFile! + ".attacker", attacker));
            using var tx = c.BeginTransaction();
            JournalHead? head = null;
            foreach (var e in entries)
            {
                head = writer.Append(c, tx, e.Kind, e.PointOfSale, e.Reference, e.Body, DateTimeOffset.Parse(e.At, System.Globalization.CultureInfo.InvariantCulture));
            }

            tx.Commit();
            writer.Committed(head);
            File.Copy(f.JournalOptions.HeadFile! + ".attacker", f.JournalOptions.HeadFile!, overwrite: true);
            Assert.NotNull(head);
        }

        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(JournalProblemKinds.KeyChanged, problem.Kind);
        Assert.Contains($"not by this host's key {f.JournalWriter.Key.KeyId}", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_emptied_with_its_head_file_deleted_is_still_found_by_the_outbox()
    {
        await using var f = await WithTicketsAsync(2);
        Tamper(f, "DELETE FROM journal");

        File.Delete(f.JournalOptions.HeadFile!);
        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        Assert.Equal(2, result.Problems.Count(p => p.Kind == JournalProblemKinds.TicketNotJournaled));
    }

    [Fact]
    public async Task An_outbox_ticket_edited_or_deleted_behind_the_host_is_found()
    {
        await using var f = await WithTicketsAsync(3);
        using (var c = Open(f))
        {
            Exec(c, "UPDATE tickets SET body = replace(body, '\"quantite\":1', '\"quantite\":2') WHERE id = 2");
            Exec(c, "DELETE FROM tickets WHERE id = 3");
        }

        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        Assert.Contains(result.Problems, p => p.Kind == JournalProblemKinds.TicketEdited && p.Detail.StartsWith("ticket 2 of 5-1-9-8-14", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Kind == JournalProblemKinds.TicketDeleted && p.Seq == 4);
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public async Task A_remap_adds_an_entry_and_keeps_the_first_body()
    {
        await using var f = new TicketFixture();
        f.Uploader.Behaviour = (_, _) => TicketUploadResponse.Rejected("E_TVA", "codeTva");
        var receipt = await f.CommitAsync("r-1");
        await f.DrainReadyAsync();
        var id = long.Parse(receipt.IdTicketEntete, System.Globalization.CultureInfo.InvariantCulture);
        f.Catalog.Articles[1201] = 2; // the fix: the meal's VAT code
        await f.Service.ReplayAsync(TicketFixture.Pos1, id, remap: true, CancellationToken.None);
        using var c = Open(f);
        var entries = JournalStore.Read(c).Where(e => e.Reference == receipt.IdTicketEntete).ToList();
        Assert.Equal([JournalKinds.Ticket, JournalKinds.TicketRemapped], entries.Select(e => e.Kind));
        Assert.Contains("\"codeTva\":1", entries[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"codeTva\":2", entries[1].Body, StringComparison.Ordinal);
        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        Assert.True(result.Intact, string.Join("; ", result.Problems.Select(p => p.Detail)));
        // The day's closing counts the ticket as VEM got it: the rebuilt body's VAT code.
        var day = await f.Closings.CloseAsync("day", "5-1-9-8-14", "op", CancellationToken.None);
        Assert.Equal([1, 2], day.Sales.ByVat.Select(v => v.CodeTva)); // the meal rebuilt at 2; its entry fee and subsidy stay 1
    }

    [Fact]
    public async Task A_replaced_key_file_is_reported_and_the_chain_goes_on()
    {
        await using var f = await WithTicketsAsync(2);
        await f.Service.DisposeAsync();
        File.Delete(f.JournalOptions.SigningKeyFile);
        await f.RestartAsync();
        await f.CommitAsync("after");
        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        Assert.Equal(2, result.KeyIds.Count);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((JournalProblemKinds.KeyChanged, 4L), (problem.Kind, problem.Seq)); // the new key's entry, after the key and two tickets
    }

    [Fact]
    public async Task Tickets_of_an_older_version_are_adopted_once()
    {
        await using var f = await WithTicketsAsync(2);
        Tamper(f, "DELETE FROM journal");

        File.Delete(f.JournalOptions.HeadFile!);
        await f.RestartAsync(); // the upgrade: a new version starts on the old store
        Assert.Equal(2, f.Journal.AdoptUnjournaledTickets());
        Assert.Equal(0, f.Journal.AdoptUnjournaledTickets());
        var result = await f.Journal.VerifyAsync(true, CancellationToken.None);
        Assert.True(result.Intact, string.Join("; ", result.Problems.Select(p => p.Detail)));
    }

    [Fact]
    public async Task A_tampered_journal_is_reported_by_the_start_up_check()
    {
        await using var f = await WithTicketsAsync(3);
        Tamper(f, "DELETE FROM journal WHERE seq = 2");

        var check = new JournalStartupCheck(f.Journal, Microsoft.Extensions.Logging.Abstractions.NullLogger<JournalStartupCheck>.Instance);
        await check.StartAsync(CancellationToken.None);
        var status = await f.Journal.StatusAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (status.LastVerification is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            status = await f.Journal.StatusAsync(CancellationToken.None);
        }

        await check.StopAsync(CancellationToken.None);
        Assert.NotNull(status.LastVerification);
        Assert.False(status.LastVerification.Intact);
        Assert.Contains(status.LastVerification.Problems, p => p.Kind == JournalProblemKinds.Deleted && p.Seq == 2);
        Assert.Equal(4, status.LastSeq);
    }

    private static async Task<TicketFixture> WithTicketsAsync(int count)
    {
        var f = new TicketFixture();
        for (var i = 0; i < count; i++)
        {
            await f.CommitAsync($"r-{i}");
        }

        return f;
    }

    private static SqliteConnection Open(TicketFixture f)
    {
        var c = new SqliteConnection($"Data Source={f.Options.DatabasePath};Pooling=False");
        c.Open();
        return c;
    }

    /// <summary>What an attacker with the file does: drops the append-only triggers, then runs <paramref name="sql"/>.</summary>
    private static void Tamper(TicketFixture f, params string[] sql)
    {
        using var c = Open(f);
        DropTriggers(c);
        foreach (var statement in sql)
        {
            Exec(c, statement);
        }
    }

    private static void DropTriggers(SqliteConnection c)
    {
        Exec(c, "DROP TRIGGER journal_append_only_update");
        Exec(c, "DROP TRIGGER journal_append_only_delete");
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
