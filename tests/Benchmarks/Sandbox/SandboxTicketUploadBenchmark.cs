using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Middleware.Domain.Tickets;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;

namespace Middleware.Benchmarks.Sandbox;

/// <summary>
/// Sandbox ticket upload throughput (crous-izly-api.md §4): <see cref="Clients"/> HTTP clients post distinct coherent
/// tickets concurrently to one point of sale over real loopback HTTP; each ticket is validated and committed to SQLite.
/// Tickets per second = <see cref="PerInvoke"/> / (mean × <see cref="PerInvoke"/>) = 1 / mean per operation.
/// </summary>
[MemoryDiagnoser(false)]
public class SandboxTicketUploadBenchmark
{
    private const int PerInvoke = 2000;
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private SandboxServer _server = null!;
    private HttpClient[] _clients = [];
    private string _dir = "";
    private string _token = "";
    private long _sequence;

    [Params(8)]
    public int Clients { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mw-sandbox-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _server = SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(_dir, "sandbox.db") }).GetAwaiter().GetResult();
        _clients = [.. Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = _server.BaseUrl })];
        var key = _server.Seed.PointOfSale(SandboxSeed.MainTill).InstallationKey;
        using var auth = _clients[0].PostAsJsonAsync("vem/v1/authenticate", new { env = "PRD", appId = "5-1-9-8-14", appSecret = key }).GetAwaiter().GetResult();
        auth.EnsureSuccessStatusCode();
        _token = auth.Headers.GetValues("Authorization").Single();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }

        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public Task PostTickets() => Task.WhenAll(_clients.Select(c => Task.Run(() => PostManyAsync(c, PerInvoke / Clients))));

    private async Task PostManyAsync(HttpClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var n = Interlocked.Increment(ref _sequence);
            using var req = new HttpRequestMessage(HttpMethod.Post, "vem/v1/5/remontee-caisse/tickets/5/1/9/8/14?versCommandeEnLigne=0")
            {
                Content = new StringContent(JsonSerializer.Serialize(Ticket(n), VemJson.Options), Encoding.UTF8, "application/json"),
            };
            req.Headers.TryAddWithoutValidation("Authorization", _token);
            using var r = await client.SendAsync(req);
            if ((int)r.StatusCode != 201)
            {
                throw new InvalidOperationException($"Ticket {n} answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static VemTicket Ticket(long n)
    {
        var now = DateTimeOffset.UtcNow;
        var prefix = TimeZoneInfo.ConvertTime(now, Paris).ToString("yyMMdd", CultureInfo.InvariantCulture);
        return new VemTicket
        {
            IdTicketEntete = n.ToString(CultureInfo.InvariantCulture),
            NumeroTicket = prefix + n.ToString(CultureInfo.InvariantCulture),
            Date = now,
            VersionLogiciel = "bench",
            ListeLignes =
            [
                new VemTicketLine { NumeroLigne = 1, CodeArticle = 1201, Quantite = 1, CodeTva = 1, PrixUnitaireHt = 3.13m, PrixUnitaireTtc = 3.30m, TotalHt = 3.13m, TotalTtc = 3.30m },
                new VemTicketLine { NumeroLigne = 2, CodeArticle = 5103, Quantite = 2, CodeTva = 1, PrixUnitaireHt = 1.14m, PrixUnitaireTtc = 1.20m, TotalHt = 2.28m, TotalTtc = 2.40m },
            ],
            ListeReglements = [new VemPayment { CodeReglement = 9, Montant = 5.70m, IdSupport = "36000015", IdTransactionIzly = n.ToString(CultureInfo.InvariantCulture), NumeroApplicatif = "04A1B2C3D4000F" }],
            Complementaire = new VemComplement { CodeClient = "1000015", SoldeClient = 994.30m, CodeSocieteClient = 10, TarifClient = 1, IdSupport = "36000015", IdTypeDistribution = 1, IdLogiciel = 39 },
        };
    }
}
