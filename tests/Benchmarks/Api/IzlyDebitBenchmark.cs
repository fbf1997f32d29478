using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Api.Izly;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;

namespace Middleware.Benchmarks.Api;

/// <summary>
/// One Izly card debit round trip over loopback HTTP to the sandbox, through <see cref="IzlyClient"/> (transport,
/// retries policy, JSON both ways, mapping) against a raw <see cref="HttpClient"/> POST of the same bytes with the same
/// headers (the floor). Both repeat one clientOrderId, so the sandbox answers the same stored debit (its idempotent
/// replay) and does the same work on each side: the ratio and the allocation difference are the client's cost.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter *IzlyDebitBenchmark* --job short --inProcess</c>.
/// <para>Measured (issue #19, a loaded 2-core machine, so times are noise; bytes are not; the sandbox's allocations are in
/// both columns): RestSharp transport 46.9 KB per debit against the floor's 12.6 KB; the pooled-handler transport with
/// source-generated JSON 14.3 KB against 12.8 KB.</para>
/// </summary>
[MemoryDiagnoser]
public class IzlyDebitBenchmark
{
    private static readonly PointOfSaleId Pos = SandboxSeed.MainTill;
    private static readonly CardMedium Card = new(new CardIdentity("36000001", "04A1B2C3D40001", CardTechnology.Desfire, "bench reader", "SAM-01", true));
    private SandboxServer server = null!;
    private IzlyClient izly = null!;
    private HttpClient raw = null!;
    private DebitRequest request = null!;
    private byte[] body = [];
    private string dir = "";

    [GlobalSetup]
    public void Setup()
    {
        dir = Path.Combine(Path.GetTempPath(), "mw-izly-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        server = SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(dir, "sandbox.db") }).GetAwaiter().GetResult();
        server.SetBalanceAsync("1000001", 100_000_000).GetAwaiter().GetResult();
        var cleIzly = server.Seed.PointOfSale(Pos).CleIzly;
        var keys = new IzlyKeyStore(new NoVem());
        keys.Set(Pos, cleIzly);
        izly = new IzlyClient(new IzlyOptions { BaseUrl = server.BaseUrl }, keys, TimeProvider.System, NullLogger<IzlyClient>.Instance);
        request = new DebitRequest(Pos.ToString(), "bench-order-1", 3.30m, Card);

        // The floor: the bytes IzlyClient sends (the same JSON, path and headers), over one plain pooled client.
        body = Encoding.UTF8.GetBytes("""{"amount":330,"clientOrderId":"bench-order-1","pointOfSale":"5-1-9-8-14","samId":"SAM-01"}""");
        raw = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = server.BaseUrl };
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Pos + ":" + cleIzly)));
        raw.DefaultRequestHeaders.Add("AppIdentifier", Pos.ToString());

        // Both must reach the sandbox and succeed before anything is timed.
        if (IzlyDebit().GetAwaiter().GetResult() != 330 || RawPost().GetAwaiter().GetResult() <= 0)
        {
            throw new InvalidOperationException("the warm-up debit failed");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        izly.Dispose();
        raw.Dispose();
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> RawPost()
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await raw.PostAsync("/api/payments/debit/support/36000001", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? bytes.Length : -1;
    }

    [Benchmark]
    public async Task<long> IzlyDebit()
    {
        var result = await izly.DebitAsync(request, default);
        return result.Status == IzlyOperationStatus.Completed ? 330 : -1;
    }

    /// <summary>The key is set up front: VEM is never asked.</summary>
    private sealed class NoVem : Middleware.Api.Vem.IVemClient
    {
        private static InvalidOperationException No() => new("the benchmark never asks VEM");

        public Task<Middleware.Api.Vem.VemCaisse> GetCaisseAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemTva>> GetTvaAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemArticle>> GetArticlesAsync(PointOfSaleId pointOfSale, bool versBornesPrepaiement, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemSociete>> GetSocietesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemSocieteTarif>> GetSocietesTarifsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemPeriode>> GetPeriodesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemSocieteTarifPeriode>> GetSocietesTarifsPeriodeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemArticlePrix>> GetArticlesSocietesTarifsPeriodesAsync(PointOfSaleId pointOfSale, bool periodesFutures, bool versBornesPrepaiement, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemDroitEntreeType>> GetDroitsEntreeTypesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemDroitEntree>> GetDroitsEntreeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<IReadOnlyList<Middleware.Api.Vem.VemSubvention>> GetSubventionsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
        public Task<Middleware.Api.Vem.TicketUploadResult> UploadTicketAsync(PointOfSaleId pointOfSale, Middleware.Domain.Tickets.VemTicket ticket, bool versCommandeEnLigne, CancellationToken cancellationToken) => throw No();
        public Task<Middleware.Api.Vem.WhizOrderCreated> CreateWhizOrderAsync(PointOfSaleId pointOfSale, Middleware.Api.Vem.WhizOrder order, CancellationToken cancellationToken) => throw No();
        public Task UpdateWhizOrderStatusAsync(PointOfSaleId pointOfSale, string idCommande, Middleware.Api.Vem.WhizOrderStatus status, CancellationToken cancellationToken) => throw No();
    }
}
