using System.Text.Json;
using Middleware.Domain.PointsOfSale;
using Middleware.Shared.Files;

namespace Middleware.Api.Secrets;

/// <summary>Where secrets come from (configuration section <c>CrousApis:Secrets</c>). Secrets are never read from
/// <c>plugins.json</c> nor from ordinary configuration: only environment variables and a protected file.</summary>
public sealed class SecretsOptions
{
    /// <summary>Path of a JSON secrets file (see <see cref="SecretStore"/>). On Unix it must not be readable by group or
    /// others (mode 0600 or 0400), else it is refused. Default none; the <c>MW_SECRETS_FILE</c> variable also sets it.</summary>
    public string? File { get; set; }
}

/// <summary>
/// The installation keys and OAuth secret. Lookup order: environment, then the protected file.
/// <list type="bullet">
/// <item><c>MW_VEM_INSTALLATION_KEY_5_1_9_8_14</c>: the installation key of point of sale 5-1-9-8-14
/// (dashes become underscores); <c>MW_VEM_INSTALLATION_KEY</c>: the key when the host serves one point of sale.</item>
/// <item><c>MW_VEM_OAUTH_CLIENT_SECRET</c>: the OAuth2 client secret (§2.2).</item>
/// <item>File: <c>{"vemInstallationKeys":{"5-1-9-8-14":"..."},"vemOAuthClientSecret":"..."}</c>.</item>
/// </list>
/// Values are never logged; exceptions name the variable, never the value.
/// </summary>
public sealed class SecretStore
{
    public const string InstallationKeyVariable = "MW_VEM_INSTALLATION_KEY";
    public const string OAuthClientSecretVariable = "MW_VEM_OAUTH_CLIENT_SECRET";
    public const string SecretsFileVariable = "MW_SECRETS_FILE";

    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web);

    private readonly Func<string, string?> environment;
    private readonly string? filePath;
    private readonly Lazy<SecretsFile?> file;

    public SecretStore(SecretsOptions options)
        : this(options, Environment.GetEnvironmentVariable)
    {
    }

    internal SecretStore(SecretsOptions options, Func<string, string?> environment)
    {
        this.environment = environment;
        filePath = string.IsNullOrWhiteSpace(options.File) ? environment(SecretsFileVariable) : options.File;
        file = new Lazy<SecretsFile?>(LoadFile);
    }

    /// <summary>The environment variable that holds the installation key of <paramref name="pointOfSale"/>.</summary>
    public static string InstallationKeyVariableFor(PointOfSaleId pointOfSale) =>
        InstallationKeyVariable + "_" + pointOfSale.ToString().Replace('-', '_');

    /// <summary>The VEM installation key of a point of sale (§2.1), or null when none is configured.</summary>
    public string? InstallationKey(PointOfSaleId pointOfSale)
    {
        var fromEnv = environment(InstallationKeyVariableFor(pointOfSale));
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        if (file.Value?.VemInstallationKeys is { } keys && keys.TryGetValue(pointOfSale.ToString(), out var fromFile) && !string.IsNullOrEmpty(fromFile))
        {
            return fromFile;
        }

        var single = environment(InstallationKeyVariable);
        return string.IsNullOrEmpty(single) ? null : single;
    }

    /// <summary>The OAuth2 client secret (§2.2), or null when none is configured.</summary>
    public string? OAuthClientSecret()
    {
        var fromEnv = environment(OAuthClientSecretVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        var fromFile = file.Value?.VemOAuthClientSecret;
        return string.IsNullOrEmpty(fromFile) ? null : fromFile;
    }

    private SecretsFile? LoadFile()
    {
        if (string.IsNullOrWhiteSpace(filePath))
        {
            return null;
        }

        if (SecretFileRule.Problem(filePath) is { } problem)
        {
            // A key readable by other accounts is a leaked key: refuse rather than use it.
            throw new InvalidOperationException($"The secrets file '{filePath}' {problem}");
        }

        try
        {
            return JsonSerializer.Deserialize<SecretsFile>(File.ReadAllText(filePath), FileJson);
        }
        catch (JsonException ex)
        {
            // The message of a JsonException can quote the text around the error: do not pass it on.
            throw new InvalidOperationException($"The secrets file '{filePath}' is not valid JSON (line {ex.LineNumber + 1}).");
        }
    }

    private sealed class SecretsFile
    {
        public Dictionary<string, string>? VemInstallationKeys { get; set; }

        public string? VemOAuthClientSecret { get; set; }
    }
}
