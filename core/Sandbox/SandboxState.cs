using Dapper;
using Microsoft.Extensions.Logging;
using Middleware.Sandbox.Faults;
using Middleware.Sandbox.Izly;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Storage;
using Middleware.Sandbox.Vem;

namespace Middleware.Sandbox;

/// <summary>Everything the endpoints share: options, clock, seed, database, tokens, keys, faults.</summary>
internal sealed class SandboxState : IDisposable
{
    private readonly Dictionary<string, string> _installationKeys;
    private readonly Dictionary<string, string> _izlyKeys;

    public SandboxState(SandboxOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        Time = options.TimeProvider;
        Zone = FindZone(options.TimeZoneId);
        LoggerFactory = loggerFactory;
        Seed = SandboxSeed.Create(Time.GetUtcNow(), Zone);
        Db = new SandboxDb(options.DatabasePath, loggerFactory.CreateLogger<SandboxDb>(), Time);
        Db.Initialise(Seed);

        using var c = Db.Read();
        var secret = Convert.FromBase64String(c.ExecuteScalar<string>("SELECT value FROM meta WHERE key='token_secret'")!);
        var generation = long.Parse(c.ExecuteScalar<string>("SELECT value FROM meta WHERE key='tokens_not_before'")!, System.Globalization.CultureInfo.InvariantCulture);
        var pos = c.Query<(string AppId, string Key, string Izly, long Revoked)>("SELECT app_id, installation_key, cle_izly, revoked FROM points_of_sale").ToList();
        _installationKeys = pos.ToDictionary(p => p.AppId, p => p.Key);
        _izlyKeys = pos.ToDictionary(p => p.AppId, p => p.Izly);
        Tokens = new TokenService(secret, generation, pos.Where(p => p.Revoked != 0).Select(p => p.AppId), Time);
        QrCodes = new QrCodeService(this);
        Faults = new SandboxFaults(ExpireAllTokensAsync);
    }

    public SandboxOptions Options { get; }
    public TimeProvider Time { get; }
    public TimeZoneInfo Zone { get; }
    public ILoggerFactory LoggerFactory { get; }
    public SandboxSeed Seed { get; }
    public SandboxDb Db { get; }
    public TokenService Tokens { get; }
    public QrCodeService QrCodes { get; }
    public SandboxFaults Faults { get; }

    /// <summary>The base URL once Kestrel listens (used in IzlyPay authorization URLs).</summary>
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1/");

    public bool InstallationKeyMatches(string appId, string key) =>
        _installationKeys.TryGetValue(appId, out var expected)
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(key));

    public bool IsKnownPointOfSale(string appId) => _installationKeys.ContainsKey(appId);

    public bool IzlyKeyMatches(string appId, string key) =>
        _izlyKeys.TryGetValue(appId, out var expected)
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(key));

    public string CleIzly(string appId) => _izlyKeys[appId];

    public DateTimeOffset LocalNow => TimeZoneInfo.ConvertTime(Time.GetUtcNow(), Zone);

    public DateTimeOffset ToLocal(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Zone);

    public async Task ExpireAllTokensAsync(CancellationToken ct)
    {
        var next = await Db.WriteAsync((c, tx) =>
        {
            var g = long.Parse(c.ExecuteScalar<string>("SELECT value FROM meta WHERE key='tokens_not_before'", transaction: tx)!, System.Globalization.CultureInfo.InvariantCulture) + 1;
            c.Execute("UPDATE meta SET value=@g WHERE key='tokens_not_before'", new { g = g.ToString(System.Globalization.CultureInfo.InvariantCulture) }, tx);
            return g;
        }, ct);
        Tokens.SetGeneration(next);
    }

    public async Task SetKeyRevokedAsync(string appId, bool revoked, CancellationToken ct)
    {
        await Db.WriteAsync((c, tx) => c.Execute("UPDATE points_of_sale SET revoked=@revoked WHERE app_id=@appId", new { appId, revoked }, tx), ct);
        Tokens.SetRevoked(appId, revoked);
    }

    public void Dispose()
    {
        Faults.Stop();
        QrCodes.Dispose();
        Db.Dispose();
    }

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
