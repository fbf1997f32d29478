using Middleware.Api.Http;

namespace Middleware.Api.Vem;

/// <summary>How the VEM client authenticates (crous-izly-api.md §2).</summary>
public enum VemAuthScheme
{
    /// <summary>§2.1: <c>POST /vem/v1/authenticate</c> with the point of sale's installation key.</summary>
    InstallationKey,

    /// <summary>§2.2: OAuth2 client credentials at the 2025 gateway.</summary>
    OAuth2ClientCredentials,
}

/// <summary>The VEM (Crous SI) client: configuration section <c>CrousApis:Vem</c>. Secrets are NOT here: see
/// <see cref="Secrets.SecretStore"/> (environment variables or a protected file).</summary>
public sealed class VemOptions
{
    public const string Section = "CrousApis:Vem";

    /// <summary>Base URL of the Crous API host (paths start with <c>/vem/v1</c> and <c>/whiz/v1</c>).
    /// Default the pre-production host <c>https://api-pp.nuonet.fr</c>; the host points it at the sandbox by default.</summary>
    public Uri BaseUrl { get; set; } = new("https://api-pp.nuonet.fr");

    /// <summary><c>PRD</c> or <c>PPD</c>, sent as <c>env</c> when authenticating (§2.1). Default <c>PPD</c>.</summary>
    public string Environment { get; set; } = "PPD";

    /// <summary>Authentication scheme. Default <see cref="VemAuthScheme.InstallationKey"/>.</summary>
    public VemAuthScheme AuthScheme { get; set; } = VemAuthScheme.InstallationKey;

    /// <summary>OAuth2 token endpoint (§2.2). Default null: <c>{BaseUrl}/api/oauth/token</c>.</summary>
    public Uri? OAuthTokenUrl { get; set; }

    /// <summary>OAuth2 client id (not secret). The secret comes from <c>MW_VEM_OAUTH_CLIENT_SECRET</c> or the secrets file.</summary>
    public string? OAuthClientId { get; set; }

    /// <summary>Timeout of one attempt of any call. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of calls safe to repeat (GETs, authentication, the idempotent ticket POST, the Whiz status PATCH).</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>The largest answer read from VEM, in bytes; a larger one is not read and counts as a network error
    /// (VEM unavailable). Default 32 MiB (the largest reference list, the prices, is a few MiB at most).</summary>
    public int MaxResponseBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>A token is renewed this long before it expires, so no call goes out with a dying token. Default 60 s.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Token lifetime assumed when VEM gives none (no JWT <c>exp</c>, no <c>expiresIn</c>). Default 1 h.</summary>
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
