using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Api.Izly;
using Middleware.Api.Reference;
using Middleware.Api.Secrets;
using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;

namespace Middleware.Benchmarks.Api;

/// <summary>
/// Full reference sync of one point of sale (crous-izly-api.md §3): the 13 VEM GETs (11 resources, kiosk variants
/// included) over real loopback HTTP to the sandbox, then the atomic replace of every table in the SQLite file and
/// the new in-memory snapshot. Also the hot-path price lookup that pricing does on the snapshot.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter *ReferenceSyncBenchmark*</c>.
/// </summary>
[MemoryDiagnoser(false)]
public class ReferenceSyncBenchmark
{
    private static readonly PointOfSaleId Pos = SandboxSeed.MainTill;
    private SandboxServer server = null!;
    private VemClient vem = null!;
    private ReferenceStore store = null!;
    private ReferenceSnapshot snapshot = null!;
    private DateTimeOffset now;
    private string dir = "";

    [GlobalSetup]
    public void Setup()
    {
        dir = Path.Combine(Path.GetTempPath(), "mw-api-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        server = SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(dir, "sandbox.db") }).GetAwaiter().GetResult();
        var key = server.Seed.PointOfSale(Pos).InstallationKey;
        var secrets = new SecretStore(new SecretsOptions(), name => name == SecretStore.InstallationKeyVariableFor(Pos) ? key : null);
        vem = new VemClient(new VemOptions { BaseUrl = server.BaseUrl }, secrets, TimeProvider.System, NullLogger<VemClient>.Instance);
        store = new ReferenceStore(vem, new IzlyKeyStore(vem), new ReferenceOptions { DatabasePath = Path.Combine(dir, "reference.db") },
            [new PointOfSaleOptions { Id = Pos.ToString() }], TimeProvider.System, NullLogger<ReferenceStore>.Instance);
        var first = store.SyncAsync(Pos, default).GetAwaiter().GetResult();
        if (!first.Succeeded)
        {
            throw new InvalidOperationException(first.Error);
        }

        snapshot = store.GetRequiredSnapshot(Pos);
        now = DateTimeOffset.UtcNow;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        vem.Dispose();
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    [Benchmark]
    public async Task<bool> FullSync() => (await store.SyncAsync(Pos, default)).Succeeded;

    [Benchmark]
    public decimal? PriceLookup() => snapshot.Price(1201, 8000, 1, now)?.PrixTtc;
}
