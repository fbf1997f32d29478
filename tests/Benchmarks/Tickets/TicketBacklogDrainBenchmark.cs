using Middleware.Tickets.Numbering;
using Middleware.Domain.Reference;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Api;
using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox;
using Middleware.Tickets;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Sending;
using Middleware.Tickets.Storage;

namespace Middleware.Benchmarks.Tickets;

/// <summary>
/// A backlog of <see cref="Backlog"/> committed tickets (three points of sale) drained by the real sender through the
/// real VEM client to the real sandbox over loopback HTTP, in order per point of sale. Tickets per second =
/// Backlog / Mean. The backlog size comes from <c>MW_BENCH_TICKET_BACKLOG</c> (default 100,000).
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter *TicketBacklogDrainBenchmark*</c>
/// </summary>
[Config(typeof(Config))]
public class TicketBacklogDrainBenchmark
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddJob(BenchmarkDotNet.Jobs.Job.Default.WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1)
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance));
    }

    private static readonly PointOfSaleId[] Points = [PointOfSaleId.Parse("5-1-9-8-14"), PointOfSaleId.Parse("5-1-9-8-15"), PointOfSaleId.Parse("5-1-12-3-1")];
    private string dir = "";
    private SandboxServer server = null!;
    private ServiceProvider provider = null!;
    private TicketSender sender = null!;

    public static int Backlog => int.TryParse(Environment.GetEnvironmentVariable("MW_BENCH_TICKET_BACKLOG"), out var n) ? n : 100_000;

    [IterationSetup]
    public void Setup()
    {
        dir = Path.Combine(Path.GetTempPath(), "mw-tickets-drain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        server = SandboxServer.StartAsync(new SandboxOptions { DatabasePath = Path.Combine(dir, "sandbox.db") }).GetAwaiter().GetResult();
        var secrets = Path.Combine(dir, "secrets.json");
        File.WriteAllText(secrets, JsonSerializer.Serialize(new { vemInstallationKeys = server.Seed.PointsOfSale.ToDictionary(p => p.AppId, p => p.InstallationKey) }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CrousApis:Vem:BaseUrl"] = server.BaseUrl.ToString(),
            ["CrousApis:Secrets:File"] = secrets,
        }).Build();
        provider = new ServiceCollection().AddLogging().AddCrousApis(config).BuildServiceProvider();

        var options = new TicketsOptions { DatabasePath = Path.Combine(dir, "tickets.db"), VersionLogiciel = "bench", BatchSize = 200, UnknownNumberingOrigin = UnknownNumberingOrigin.StartAtOne };
        var db = new TicketDatabase(options.DatabasePath);
        using (var service = new TicketService(db, options, DefaultTicketMapper.Instance, new FixedReferenceCatalogSource(new BenchCatalog()), TimeProvider.System, new OutboxSignal()))
        {
            // Committed by 16 concurrent tills (group commit) to build the backlog quickly.
            var next = -1;
            Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < Backlog)
                {
                    await service.CommitAsync(Points[i % Points.Length], "r" + i, BenchSales.Sale(i), CancellationToken.None);
                }
            }))).GetAwaiter().GetResult();
        }

        sender = new TicketSender(db, options, new VemTicketUploader(provider.GetRequiredService<IVemClient>()), TimeProvider.System, NullLogger<TicketSender>.Instance);
    }

    [Benchmark]
    public async Task<int> DrainBacklog()
    {
        var sent = 0;
        while (true)
        {
            var pass = await sender.SendPassAsync(CancellationToken.None);
            sent += pass.Sent;
            if (!pass.MoreReady && pass.NextRetryAt is null)
            {
                break;
            }
        }

        if (sent != Backlog)
        {
            throw new InvalidOperationException($"Drained {sent} of {Backlog} tickets.");
        }

        return sent;
    }

    [IterationCleanup]
    public void Cleanup()
    {
        var stored = server.GetTicketsAsync().GetAwaiter().GetResult().Count;
        Console.WriteLine($"// sandbox holds {stored} tickets for a backlog of {Backlog}");
        provider.Dispose();
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
