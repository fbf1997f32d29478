using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Middleware.Sandbox.Izly;

internal enum QrOutcome
{
    Valid,
    Malformed,
    BadSignature,
    UnknownUser,
    Expired,
    NotYetValid,
    Used,
}

internal sealed record QrCheck(QrOutcome Outcome, string? Identifier, string Hash, string Detail);

/// <summary>
/// Izly QR codes (§6): <c>AIZ;&lt;guid&gt;;&lt;yyyy-MM-dd HH:mm:ss UTC&gt;;3;&lt;hex HMAC&gt;;&lt;base64 DER ECDSA-P256&gt;</c>,
/// signed with each user's own P-256 key (kept in the sandbox database), valid <see cref="SandboxOptions.QrCodeValidity"/>.
/// </summary>
internal sealed class QrCodeService(SandboxState state) : IDisposable
{
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";
    private readonly ConcurrentDictionary<Guid, (string Identifier, ECDsa Key)> _keys = new();
    private static readonly byte[] HmacKey = "sandbox-qr-hmac"u8.ToArray();

    /// <summary>The text a phone would show for <paramref name="identifier"/> at <paramref name="timestamp"/>.</summary>
    public string Issue(string identifier, DateTimeOffset timestamp)
    {
        using var c = state.Db.Read();
        var userId = c.ExecuteScalar<string>("SELECT user_public_id FROM right_holders WHERE identifier=@identifier", new { identifier })
            ?? throw new ArgumentException($"Unknown right holder {identifier}.", nameof(identifier));
        var key = KeyOf(Guid.Parse(userId))!.Value.Key;
        var prefix = $"AIZ;{userId};{timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture)};3;";
        var hmac = Convert.ToHexString(HMACSHA256.HashData(HmacKey, Encoding.UTF8.GetBytes(prefix)));
        var signed = $"{prefix}{hmac};";
        var signature = key.SignData(Encoding.UTF8.GetBytes(signed), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return signed + Convert.ToBase64String(signature);
    }

    /// <summary>Checks format, user, signature, reuse and validity window, in that order.</summary>
    public QrCheck Check(string text)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var parts = text.Split(';');
        if (parts.Length != 6 || parts[0] != "AIZ" || parts[3] != "3"
            || !Guid.TryParse(parts[1], out var userId)
            || !DateTime.TryParseExact(parts[2], TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var stamp))
        {
            return new(QrOutcome.Malformed, null, hash, "QR code format: AIZ;<guid>;<yyyy-MM-dd HH:mm:ss>;3;<hmac>;<signature>.");
        }

        if (KeyOf(userId) is not { } user)
        {
            return new(QrOutcome.UnknownUser, null, hash, "No Izly user has this QR code's public id.");
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(parts[5]);
        }
        catch (FormatException)
        {
            return new(QrOutcome.BadSignature, user.Identifier, hash, "QR code signature is not base64.");
        }

        var signed = text[..(text.LastIndexOf(';') + 1)];
        bool ok;
        try
        {
            ok = user.Key.VerifyData(Encoding.UTF8.GetBytes(signed), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            ok = false;
        }

        if (!ok)
        {
            return new(QrOutcome.BadSignature, user.Identifier, hash, "QR code signature does not verify with the user's key.");
        }

        using (var c = state.Db.Read())
        {
            if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM used_qr_codes WHERE qr_hash=@hash", new { hash }) > 0)
            {
                return new(QrOutcome.Used, user.Identifier, hash, "QR code already used for a payment.");
            }
        }

        var at = new DateTimeOffset(stamp, TimeSpan.Zero);
        var now = state.Time.GetUtcNow();
        if (now - at > state.Options.QrCodeValidity)
        {
            return new(QrOutcome.Expired, user.Identifier, hash, $"QR code older than {state.Options.QrCodeValidity.TotalMinutes} minutes.");
        }

        if (at - now > state.Options.QrCodeClockSkew)
        {
            return new(QrOutcome.NotYetValid, user.Identifier, hash, "QR code timestamp is in the future.");
        }

        return new(QrOutcome.Valid, user.Identifier, hash, "valid");
    }

    private (string Identifier, ECDsa Key)? KeyOf(Guid userId)
    {
        if (_keys.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        using var c = state.Db.Read();
        var row = c.QueryFirstOrDefault<(string Identifier, byte[] Key)>("SELECT identifier, qr_key FROM right_holders WHERE user_public_id=@id", new { id = userId.ToString() });
        if (row.Identifier is null)
        {
            return null;
        }

        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(row.Key, out _);
        var entry = (row.Identifier, key);
        if (!_keys.TryAdd(userId, entry))
        {
            key.Dispose();
        }

        return _keys[userId];
    }

    public void Dispose()
    {
        foreach (var (_, (_, key)) in _keys)
        {
            key.Dispose();
        }
    }
}
