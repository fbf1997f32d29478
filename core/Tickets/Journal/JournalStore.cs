using Microsoft.Data.Sqlite;

namespace Middleware.Tickets.Journal;

/// <summary>Reads the journal table of an outbox store (the host's, or a copy checked offline).</summary>
public static class JournalStore
{
    /// <summary>Entries from <paramref name="fromSeq"/> to <paramref name="toSeq"/>, in order, streamed.</summary>
    public static IEnumerable<JournalEntry> Read(SqliteConnection c, long fromSeq = 1, long toSeq = long.MaxValue, CancellationToken cancellationToken = default)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq, at, kind, pos, ref, body, prev_hash, hash, signature, key_id FROM journal WHERE seq BETWEEN $f AND $t ORDER BY seq";
        cmd.Parameters.AddWithValue("$f", fromSeq);
        cmd.Parameters.AddWithValue("$t", toSeq);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Entry(reader);
        }
    }

    /// <summary>Entries of <paramref name="kind"/> (of one point of sale when given) after <paramref name="afterSeq"/>, in order.</summary>
    public static IEnumerable<JournalEntry> ReadKind(SqliteConnection c, SqliteTransaction? tx, string kind, string? pointOfSale, long afterSeq, long toSeq = long.MaxValue)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = pointOfSale is null
            ? "SELECT seq, at, kind, pos, ref, body, prev_hash, hash, signature, key_id FROM journal WHERE kind = $k AND seq > $a AND seq <= $t ORDER BY seq"
            : "SELECT seq, at, kind, pos, ref, body, prev_hash, hash, signature, key_id FROM journal WHERE kind = $k AND pos = $p AND seq > $a AND seq <= $t ORDER BY seq";
        cmd.Parameters.AddWithValue("$k", kind);
        cmd.Parameters.AddWithValue("$p", (object?)pointOfSale ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$a", afterSeq);
        cmd.Parameters.AddWithValue("$t", toSeq);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            yield return Entry(reader);
        }
    }

    /// <summary>The last entry's number and hash; (0, zeros) for an empty journal.</summary>
    public static JournalHead Head(SqliteConnection c, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1";
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? new JournalHead(reader.GetInt64(0), reader.GetString(1)) : new JournalHead(0, JournalHash.Genesis);
    }

    /// <summary>
    /// Verifies the journal of <paramref name="c"/>: the chain (numbering, hashes, signatures when
    /// <paramref name="signatures"/>), the head file, and the outbox against it (each ticket's body is the last one the
    /// journal recorded for it; no ticket is missing on either side).
    /// </summary>
    /// <remarks><paramref name="hostKeyId"/>, the host's own key: the journal's last entries must be signed by it (one
    /// re-signed with another key shows even before the host appends again).</remarks>
    public static JournalVerification Verify(SqliteConnection c, string headPath, bool signatures, DateTimeOffset now, CancellationToken cancellationToken, string? hostKeyId = null)
    {
        // The head first: it is written after each commit, so entries read after it reach at least as far (reading it
        // last could see an append that the entries read before it missed, and call that a truncation).
        var (head, headError) = JournalHeadAnchor.Read(headPath);
        var evidence = JournalHeadAnchor.ReadEvidence(headPath);
        var check = new JournalChainCheck(signatures: signatures);
        check.Anchor(evidence.Select(e => e.Head).Append(head).OfType<SignedJournalHead>());
        foreach (var entry in Read(c, cancellationToken: cancellationToken))
        {
            check.Add(entry);
        }

        check.CheckHead(head, headError);
        if (hostKeyId is not null && check.LastKeyId is { } last && last != hostKeyId)
        {
            check.Problem(JournalProblemKinds.KeyChanged, check.LastSeq, $"the journal's last entries are signed by key {last}, not by this host's key {hostKeyId}");
        }

        foreach (var (file, kept) in evidence)
        {
            check.CheckAnchor(kept, $"the head kept in {Path.GetFileName(file)}");
        }
        CheckOutbox(c, check, cancellationToken);
        return check.Result(now);
    }

    private static void CheckOutbox(SqliteConnection c, JournalChainCheck check, CancellationToken cancellationToken)
    {
        using (var cmd = c.CreateCommand())
        {
            // Each outbox ticket against the last body its journal entries hold (a remap adds an entry, never rewrites).
            cmd.CommandText = """
                SELECT t.pos, t.id, t.body = j.body, j.seq FROM tickets t
                LEFT JOIN journal j ON j.seq = (SELECT MAX(seq) FROM journal x WHERE x.pos = t.pos AND x.ref = CAST(t.id AS TEXT) AND x.kind IN ('ticket', 'ticket.remapped'))
                WHERE j.seq IS NULL OR t.body <> j.body
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pos = reader.GetString(0);
                var id = reader.GetInt64(1);
                if (reader.IsDBNull(3))
                {
                    check.Problem(JournalProblemKinds.TicketNotJournaled, null, $"ticket {id} of {pos} is in the outbox but was never journaled (inserted behind the host's back?)");
                }
                else
                {
                    check.Problem(JournalProblemKinds.TicketEdited, reader.GetInt64(3), $"ticket {id} of {pos} in the outbox differs from what the journal recorded in entry {reader.GetInt64(3)}");
                }
            }
        }

        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = """
                SELECT j.seq, j.pos, j.ref FROM journal j
                WHERE j.kind = 'ticket' AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.pos = j.pos AND t.id = CAST(j.ref AS INTEGER))
                ORDER BY j.seq
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                check.Problem(JournalProblemKinds.TicketDeleted, reader.GetInt64(0), $"ticket {reader.GetString(2)} of {reader.GetString(1)} (journal entry {reader.GetInt64(0)}) is gone from the outbox");
            }
        }
    }

    private static JournalEntry Entry(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9));
}
