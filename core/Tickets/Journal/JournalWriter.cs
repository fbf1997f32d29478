using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Middleware.Tickets.Journal;

/// <summary>
/// Appends entries to the journal inside the caller's write transaction, so that an entry and what it records (a
/// ticket in the outbox, a closing) are committed together or not at all. Entries are never updated nor deleted (the
/// store's triggers refuse it too). Call <see cref="Committed"/> after the transaction commits.
/// </summary>
public sealed class JournalWriter(JournalSigningKey key, JournalHeadAnchor anchor)
{
    public JournalSigningKey Key => key;

    public JournalHeadAnchor Anchor => anchor;

    /// <summary>Appends one entry after the last one in <paramref name="tx"/> (a key entry first when the journal is new
    /// or its last entry was signed by another key). Returns the new head.</summary>
    public JournalHead Append(SqliteConnection connection, SqliteTransaction tx, string kind, string? pointOfSale, string? reference, string body, DateTimeOffset at)
    {
        var (seq, prev, lastKey) = Last(connection, tx);
        var when = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        if (!string.Equals(lastKey, key.KeyId, StringComparison.Ordinal))
        {
            var keyBody = JsonSerializer.Serialize(new { publicKey = Convert.ToHexStringLower(key.PublicKey), keyId = key.KeyId, previousKeyId = lastKey });
            (seq, prev) = Insert(connection, tx, seq + 1, prev, when, JournalKinds.Key, null, key.KeyId, keyBody);
        }

        (seq, prev) = Insert(connection, tx, seq + 1, prev, when, kind, pointOfSale, reference, body);
        return new JournalHead(seq, prev);
    }

    /// <summary>After the transaction that appended up to <paramref name="head"/> committed.</summary>
    public void Committed(JournalHead? head)
    {
        if (head is not null)
        {
            anchor.Advance(head);
        }
    }

    private (long Seq, string Hash) Insert(SqliteConnection c, SqliteTransaction tx, long seq, string prev, string at, string kind, string? pos, string? reference, string body)
    {
        // The digest is signed as bytes and stored as hex: no hex round trip, no signature array.
        Span<byte> digest = stackalloc byte[32];
        JournalHash.Compute(prev, seq, at, kind, pos, reference, body, digest);
        var hash = Convert.ToHexStringLower(digest);
        Span<byte> signed = stackalloc byte[64];
        key.Sign(digest, signed);
        var signature = Convert.ToBase64String(signed);
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO journal (seq, at, kind, pos, ref, body, prev_hash, hash, signature, key_id) VALUES ($s, $at, $k, $p, $r, $b, $ph, $h, $sig, $key)";
        cmd.Parameters.AddWithValue("$s", seq);
        cmd.Parameters.AddWithValue("$at", at);
        cmd.Parameters.AddWithValue("$k", kind);
        cmd.Parameters.AddWithValue("$p", (object?)pos ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$r", (object?)reference ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$b", body);
        cmd.Parameters.AddWithValue("$ph", prev);
        cmd.Parameters.AddWithValue("$h", hash);
        cmd.Parameters.AddWithValue("$sig", signature);
        cmd.Parameters.AddWithValue("$key", key.KeyId);
        cmd.ExecuteNonQuery();
        return (seq, hash);
    }

    private static (long Seq, string Hash, string? KeyId) Last(SqliteConnection c, SqliteTransaction tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT seq, hash, key_id FROM journal ORDER BY seq DESC LIMIT 1";
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : (0, JournalHash.Genesis, null);
    }
}
