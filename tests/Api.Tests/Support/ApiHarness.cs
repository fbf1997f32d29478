using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Middleware.Api.Http;
using Middleware.Api.Izly;
using Middleware.Api.Reference;
using Middleware.Api.Secrets;
using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;

namespace Middleware.Api.Tests.Support;

/// <summary>Counts the requests that really go out on the wire, per "METHOD path" and status.</summary>
internal sealed class CountingHandler : DelegatingHandler
{
    public CountingHandler() : base(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
    }

    public ConcurrentQueue<(string Method, string Path, int Status)> Calls { get; } = new();

    public int Count(string method, string pathContains) => Calls.Count(c => c.Method == method && c.Path.Contains(pathContains, StringComparison.Ordinal));

    public int CountStatus(int status) => Calls.Count(c => c.Status == status);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            Calls.Enqueue((request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode));
            return response;
        }
        catch
        {
            Calls.Enqueue((request.Method.Method, request.RequestUri!.AbsolutePath, 0));
            throw;
        }
    }
}

/// <summary>A real sandbox (Kestrel on a free loopback port, its own SQLite file, a fake clock fixed on a known day)
/// and the clients under test, talking real HTTP to it.</summary>
internal sealed class ApiHarness : IAsyncDisposable
{
    /// <summary>Thursday 26 Nov 2026, 11:00 in Paris: inside the autumn period, the spring one is in the future.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    public static readonly PointOfSaleId Pos = SandboxSeed.MainTill;

    private readonly List<IDisposable> disposables = [];

    private ApiHarness(string dir, FakeTimeProvider sandboxTime, SandboxServer server)
    {
        Directory_ = dir;
        SandboxTime = sandboxTime;
        Server = server;
    }

    public string Directory_ { get; }

    public FakeTimeProvider SandboxTime { get; }

    public SandboxServer Server { get; private set; }

    public SandboxSeed Seed => Server.Seed;

    public static async Task<ApiHarness> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-api-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var time = new FakeTimeProvider(Start);
        var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(dir, "sandbox.db"), TimeProvider = time });
        return new ApiHarness(dir, time, server);
    }

    /// <summary>Stops the sandbox: VEM and Izly are down (connection refused).</summary>
    public async Task StopSandboxAsync() => await Server.DisposeAsync();

    public string InstallationKey(PointOfSaleId pos) => Seed.PointOfSale(pos).InstallationKey;

    public SecretStore Secrets(PointOfSaleId? pos = null, string? oauthSecret = null)
    {
        var p = pos ?? Pos;
        var env = new Dictionary<string, string?>
        {
            [SecretStore.InstallationKeyVariableFor(p)] = InstallationKey(p),
            [SecretStore.OAuthClientSecretVariable] = oauthSecret ?? SandboxSeed.OAuthClientSecret,
        };
        return new SecretStore(new SecretsOptions(), name => env.GetValueOrDefault(name));
    }

    public VemOptions VemOptions(VemAuthScheme scheme = VemAuthScheme.InstallationKey) => new()
    {
        BaseUrl = Server.BaseUrl,
        Environment = "PPD",
        AuthScheme = scheme,
        OAuthClientId = SandboxSeed.OAuthClientId,
        Timeout = TimeSpan.FromSeconds(10),
        Retry = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
    };

    public VemClient Vem(VemOptions? options = null, SecretStore? secrets = null, TimeProvider? time = null, CountingHandler? handler = null)
    {
        var client = new VemClient(options ?? VemOptions(), secrets ?? Secrets(), time ?? TimeProvider.System, NullLogger<VemClient>.Instance, handler ?? new CountingHandler());
        disposables.Add(client);
        return client;
    }

    public IzlyClient Izly(IVemClient? vem = null, IzlyOptions? options = null, CountingHandler? handler = null)
    {
        var o = options ?? new IzlyOptions
        {
            BaseUrl = Server.BaseUrl,
            Timeout = TimeSpan.FromSeconds(10),
            DebitTimeout = TimeSpan.FromSeconds(10),
            Retry = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
        };
        var client = new IzlyClient(o, new IzlyKeyStore(vem ?? Vem()), TimeProvider.System, NullLogger<IzlyClient>.Instance, handler ?? new CountingHandler());
        disposables.Add(client);
        return client;
    }

    public ReferenceStore Store(IVemClient vem, string? databasePath = null, TimeProvider? time = null, ReferenceOptions? options = null, IzlyKeyStore? keys = null)
    {
        var o = options ?? new ReferenceOptions();
        o.DatabasePath = databasePath ?? Path.Combine(Directory_, "reference.db");
        return new ReferenceStore(vem, keys ?? new IzlyKeyStore(vem), o, [new PointOfSaleOptions { Id = Pos.ToString(), TimeZone = "Europe/Paris" }],
            time ?? TimeProvider.System, NullLogger<ReferenceStore>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in disposables)
        {
            d.Dispose();
        }

        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Directory_, recursive: true);
        }
        catch (IOException)
        {
            // SQLite pools may still hold the file for a moment; the temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
