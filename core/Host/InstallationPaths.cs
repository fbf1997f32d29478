using Microsoft.Extensions.Configuration;
using Middleware.Api.Reference;
using Middleware.Api.Secrets;
using Middleware.Cards.Sam;
using Middleware.Host.Operator;
using Middleware.Host.Security;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Pipe;
using Middleware.Sandbox.Hosting;
using Middleware.Scripting.Engine;
using Middleware.Tickets;
using Middleware.Tickets.Journal;

namespace Middleware.Host;

/// <summary>
/// Every relative file setting of the host (stores, key files) resolves against one folder: the installation folder,
/// where plugins.json is, like the plugins and the scripts. A service's working directory is not its own, and a host
/// started from another folder must find the same tickets and payments, never an empty new store.
/// </summary>
internal static class InstallationPaths
{
    /// <summary>The file settings and their defaults when the configuration does not name them.</summary>
    private static readonly (string Key, string? Default)[] FileSettings =
    [
        ("Sandbox:DatabasePath", new EmbeddedSandboxSettings().DatabasePath),
        (ReferenceOptions.Section + ":DatabasePath", new ReferenceOptions().DatabasePath),
        (TicketsOptions.SectionName + ":DatabasePath", new TicketsOptions().DatabasePath),
        ("Payments:DatabasePath", new PaymentOptions().DatabasePath),
        ("Sales:DatabasePath", new SalesOptions().DatabasePath), // unset: the payment journal's file
        (PipeServerOptions.SectionName + ":IdempotencyDatabasePath", new PipeServerOptions().IdempotencyDatabasePath),
        (SoftwareSamOptions.SectionName + ":KeyFile", null),
        (SecretsFileSetting, null),
        // The compile cache and its HMAC key (unset: the cache folder's name + ".key", beside it).
        (ScriptingOptions.SectionName + ":CacheDirectory", ScriptingOptions.DefaultCacheDirectory),
        (ScriptingOptions.SectionName + ":CacheKeyFile", null),
        // The sales journal's signing key, its head and its archives.
        (JournalOptions.SectionName + ":SigningKeyFile", new JournalOptions().SigningKeyFile),
        (JournalOptions.SectionName + ":HeadFile", null),
        (JournalOptions.SectionName + ":ArchiveDirectory", new JournalOptions().ArchiveDirectory),
        // The operator web server's access key and its https certificate.
        (OperatorWebOptions.SectionName + ":AccessKeyFile", new OperatorWebOptions().AccessKeyFile),
        (OperatorWebOptions.SectionName + ":CertificateFile", null),
        (OperatorWebOptions.SectionName + ":CertificateKeyFile", null),
    ];

    private const string SecretsFileSetting = "CrousApis:Secrets:File";

    /// <summary>The settings of <see cref="FileSettings"/> that name a key or secrets file, or the script compile cache's
    /// folder, not a store: checked at start, never changed (a store's mode fix would take a folder's search bit).</summary>
    private static readonly HashSet<string> SecretSettings =
    [
        SoftwareSamOptions.SectionName + ":KeyFile", SecretsFileSetting,
        ScriptingOptions.SectionName + ":CacheDirectory", ScriptingOptions.SectionName + ":CacheKeyFile",
        JournalOptions.SectionName + ":SigningKeyFile",
        OperatorWebOptions.SectionName + ":AccessKeyFile", OperatorWebOptions.SectionName + ":CertificateKeyFile",
    ];

    /// <summary>Rewrites each relative file setting as an absolute path under <paramref name="installation"/>.</summary>
    public static void Resolve(IConfiguration configuration, string installation)
    {
        foreach (var (key, fallback) in FileSettings)
        {
            var value = configuration[key];
            if (string.IsNullOrWhiteSpace(value))
            {
                value = fallback;
            }

            if (!string.IsNullOrWhiteSpace(value))
            {
                configuration[key] = Path.GetFullPath(value, installation);
            }
        }
    }

    /// <summary>Every store, key and secrets file of the resolved <paramref name="configuration"/> (call
    /// <see cref="Resolve"/> first), for the start-up check that they are private.</summary>
    public static IEnumerable<PrivatePath> PrivateFiles(IConfiguration configuration)
    {
        foreach (var (key, _) in FileSettings)
        {
            if (configuration[key] is { Length: > 0 } path)
            {
                // The journal's archive folder is checked as a folder (like the logs'), not as a store file.
                var kind = SecretSettings.Contains(key) ? PrivateFileKind.Secret
                    : key == JournalOptions.SectionName + ":ArchiveDirectory" ? PrivateFileKind.LogFolder
                    : PrivateFileKind.Store;
                yield return new PrivatePath(key, path, kind);
            }
        }

        if (Environment.GetEnvironmentVariable(SecretStore.SecretsFileVariable) is { Length: > 0 } secrets)
        {
            yield return new PrivatePath(SecretStore.SecretsFileVariable, Path.GetFullPath(secrets), PrivateFileKind.Secret);
        }
    }
}
