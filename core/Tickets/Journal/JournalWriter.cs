using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Middleware.Storage;

namespace Middleware.Tickets.Journal;

/// <summary>
/// Appends entries to the journal inside the caller's write transaction, so that an entry and what it records (a
/// ticket in the outbox, a closing) are committed together or not at all. Entries are never updated nor deleted (the
/// store's triggers refuse it too). Call <see cref="Committed"/> after the transaction commits.
/// </summary>
public sealed class JournalWriter(JournalSigningKey key, JournalHeadAnchor anchor)
{
    private const string LastSql = "SELECT seq, hash, key_id FROM journal ORDER BY seq DESC LIMIT 1";
    private const string InsertSql = "INSERT INTO journal (seq, at, kind, pos, ref, body, prev_hash, hash, signature, key_id) VALUES ($s, $at, $k, $p, $r, $b, $ph, $h, $sig, $key)";

    public JournalSigningKey Key => key;

    public JournalHeadAnchor Anchor => anchor;

    /// <summary>Appends one entry after the last one in <paramref name="tx"/> (a key entry first when the journal is new
    /// or its last entry was signed by another key). Returns the new head.</summary>
    public JournalHead Append(SqliteConnection connection, SqliteTransaction tx, string kind, string? pointOfSale, string? reference, string body, DateTimeOffset at)
    {
        using var last = NewCommand(connection, LastSql, static _ => { });
        using var insert = NewCommand(connection, InsertSql, DeclareInsert);
        return Append(last, insert, tx, kind, pointOfSale, reference, body, at);
    }

    /// <summary>As above, with the statements <paramref name="session"/> prepared on an earlier append (the ticket
    /// writer's kept connection).</summary>
    internal JournalHead Append(SqliteSession session, SqliteTransaction tx, string kind, string? pointOfSale, string? reference, string body, DateTimeOffset at) =>
        Append(session.Statement(LastSql), session.Statement(InsertSql, DeclareInsert), tx, kind, pointOfSale, reference, body, at);

    /// <summary>After the transaction that appended up to <paramref name="head"/> committed.</summary>
    public void Committed(JournalHead? head)
    {
        if (head is not null)
        {
            anchor.Advance(head);
        }
    }

    private JournalHead Append(SqliteCommand last, SqliteCommand insert, SqliteTransaction tx, string kind, string? pointOfSale, string? reference, string body, DateTimeOffset at)
    {
        last.Transaction = tx;
        insert.Transaction = tx;
        var (seq, prev, lastKey) = Last(last);
        var when = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        if (!string.Equals(lastKey, key.KeyId, StringComparison.Ordinal))
        {
            var keyBody = JsonSerializer.Serialize(new { publicKey = Convert.ToHexStringLower(key.PublicKey), keyId = key.KeyId, previousKeyId = lastKey });
            (seq, prev) = Insert(insert, seq + 1, prev, when, JournalKinds.Key, null, key.KeyId, keyBody);
        }

        (seq, prev) = Insert(insert, seq + 1, prev, when, kind, pointOfSale, reference, body);
        return new JournalHead(seq, prev);
    }

    private static void DeclareInsert(SqliteParameterCollection p)
    {
        foreach (var name in (ReadOnlySpan<string>)["$s", "$at", "$k", "$p", "$r", "$b", "$ph", "$h", "$sig", "$key"])
        {
            p.Add(new SqliteParameter { ParameterName = name });
        }
    }

    private static SqliteCommand NewCommand(SqliteConnection c, string sql, Action<SqliteParameterCollection> declare)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        declare(cmd.Parameters);
        return cmd;
    }

    private (long Seq, string Hash) Insert(SqliteCommand cmd, long seq, string prev, string at, string kind, string? pos, string? reference, string body)
    {
        // The digest is signed as bytes and stored as hex: no hex round trip, no signature array.
        Span<byte> digest = stackalloc byte[32];
        JournalHash.Compute(prev, seq, at, kind, pos, reference, body, digest);
        var hash = Convert.ToHexStringLower(digest);
        Span<byte> signed = stackalloc byte[64];
        key.Sign(digest, signed);
        var signature = Convert.ToBase64String(signed);
        var p = cmd.Parameters;
        p[0].Value = seq;
        p[1].Value = at;
        p[2].Value = kind;
        p[3].Value = (object?)pos ?? DBNull.Value;
        p[4].Value = (object?)reference ?? DBNull.Value;
        p[5].Value = body;
        p[6].Value = prev;
        p[7].Value = hash;
        p[8].Value = signature;
        p[9].Value = key.KeyId;
        cmd.ExecuteNonQuery();
        return (seq, hash);
    }

    private static (long Seq, string Hash, string? KeyId) Last(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : (0, JournalHash.Genesis, null);
    }
}
