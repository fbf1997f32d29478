using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Middleware.Sandbox.Vem;

internal enum TokenState
{
    Valid,
    Missing,
    Invalid,
    Expired,
    Revoked,
}

internal sealed record TokenClaims(
    [property: JsonPropertyName("iss")] string Iss,
    [property: JsonPropertyName("sub")] string Sub,
    [property: JsonPropertyName("env")] string Env,
    [property: JsonPropertyName("appId")] string? AppId,
    [property: JsonPropertyName("roles")] string[] Roles,
    [property: JsonPropertyName("iat")] long Iat,
    [property: JsonPropertyName("exp")] long Exp,
    [property: JsonPropertyName("gen")] long Gen,
    [property: JsonPropertyName("jti")] string Jti);

internal readonly record struct TokenCheck(TokenState State, TokenClaims? Claims);

/// <summary>
/// JWT-shaped tokens (HS256 with the sandbox's own secret) for both VEM schemes (§2.1 and §2.2). They are
/// self-contained, so they survive a restart; "expire all now" bumps a generation number stored in the database,
/// and a revoked point of sale's tokens answer 403.
/// </summary>
internal sealed class TokenService
{
    public const string Issuer = "api.lescrous.fr";
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
    private readonly byte[] _secret;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, bool> _revokedAppIds;
    private readonly ConcurrentDictionary<string, TokenClaims> _verified = new(StringComparer.Ordinal);
    private long _generation;

    public TokenService(byte[] secret, long generation, IEnumerable<string> revokedAppIds, TimeProvider time)
    {
        _secret = secret;
        _generation = generation;
        _time = time;
        _revokedAppIds = new ConcurrentDictionary<string, bool>(revokedAppIds.Select(a => KeyValuePair.Create(a, true)));
    }

    public long Generation => Interlocked.Read(ref _generation);

    public void SetGeneration(long generation) => Interlocked.Exchange(ref _generation, generation);

    public void SetRevoked(string appId, bool revoked)
    {
        if (revoked)
        {
            _revokedAppIds[appId] = true;
        }
        else
        {
            _revokedAppIds.TryRemove(appId, out _);
        }
    }

    public bool IsRevoked(string appId) => _revokedAppIds.ContainsKey(appId);

    public (string Token, DateTimeOffset Expires) Issue(string subject, string? appId, string env, string role, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        var expires = now + lifetime;
        var claims = new TokenClaims(Issuer, subject, env, appId, [role], now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds(),
            Generation, Guid.NewGuid().ToString("N"));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signed = $"{Header}.{payload}";
        return ($"{signed}.{Sign(signed)}", expires);
    }

    /// <summary>Checks a token from an <c>Authorization</c> header value (raw token, or <c>Bearer</c> token).</summary>
    public TokenCheck Validate(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return new(TokenState.Missing, null);
        }

        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : authorization.Trim();
        if (!_verified.TryGetValue(token, out var claims))
        {
            claims = Parse(token);
            if (claims is null)
            {
                return new(TokenState.Invalid, null);
            }

            // Signature and parsing are done once per token; expiry, generation and revocation are checked every time.
            if (_verified.Count > 10_000)
            {
                _verified.Clear();
            }

            _verified[token] = claims;
        }

        if (claims.AppId is { } appId && IsRevoked(appId))
        {
            return new(TokenState.Revoked, claims);
        }

        if (claims.Gen < Generation || _time.GetUtcNow().ToUnixTimeSeconds() >= claims.Exp)
        {
            return new(TokenState.Expired, claims);
        }

        return new(TokenState.Valid, claims);
    }

    private TokenClaims? Parse(string token)
    {
        var lastDot = token.LastIndexOf('.');
        if (lastDot <= 0 || token.Count(c => c == '.') != 2)
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(token[..lastDot]));
        var actual = Encoding.ASCII.GetBytes(token[(lastDot + 1)..]);
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return null;
        }

        try
        {
            var payload = token[(token.IndexOf('.', StringComparison.Ordinal) + 1)..lastDot];
            return JsonSerializer.Deserialize<TokenClaims>(Base64Url.DecodeFromChars(payload));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private string Sign(string data) => Base64Url.EncodeToString(HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(data)));
}
