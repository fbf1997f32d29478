using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Data.Sqlite;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Tickets;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Storage;

namespace Middleware.Benchmarks.Tickets;

/// <summary>
/// Ticket commit (validate + number + map + durable write, synchronous=FULL, WAL) next to a raw SQLite insert of the
/// same row at the same durability. One invocation per iteration, so Mean is the per-ticket latency (throughput =
/// 1/Mean) and P99 the per-ticket 99th percentile. <c>Commit8Tills</c>: 8 tills committing at once (group commit),
/// per-ticket figures = the column values / 8.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter *TicketCommitBenchmark*</c>
/// </summary>
[Config(typeof(Config))]
public class TicketCommitBenchmark
{
    private static readonly PointOfSaleId Pos = PointOfSaleId.Parse("5-1-9-8-14");
    private string dir = "";
    private TicketService service = null!;
    private SqliteConnection raw = null!;
    private SqliteCommand rawInsert = null!;
    private int n;
    private string body = "";
    private string sale = "";

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithInvocationCount(1).WithUnrollFactor(1)
                .WithWarmupCount(200).WithIterationCount(3000).WithLaunchCount(1)
                .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance));
            AddColumn(new P99Column());
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        dir = Path.Combine(Path.GetTempPath(), "mw-tickets-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var options = new TicketsOptions { DatabasePath = Path.Combine(dir, "tickets.db"), VersionLogiciel = "bench" };
        service = new TicketService(new TicketDatabase(options.DatabasePath), options, DefaultTicketMapper.Instance, new BenchCatalog(), TimeProvider.System, new OutboxSignal());

        // The raw baseline: the same table shape and row, one transaction per insert, WAL + synchronous=FULL.
        var rawDb = new TicketDatabase(Path.Combine(dir, "raw.db"));
        raw = rawDb.Open(durable: true);
        rawInsert = raw.CreateCommand();
        rawInsert.CommandText = "INSERT INTO tickets (pos, id, numero, request_id, committed_at, online, body, sale) VALUES ($p, $id, $n, $r, $at, 0, $b, $s)";
        foreach (var p in new[] { "$p", "$id", "$n", "$r", "$at", "$b", "$s" })
        {
            rawInsert.Parameters.Add(new SqliteParameter(p, null));
        }

        var receipt = service.CommitAsync(Pos, "template", BenchSales.Sale(1), CancellationToken.None).GetAwaiter().GetResult();
        var record = service.GetAsync(Pos, long.Parse(receipt.IdTicketEntete, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None).GetAwaiter().GetResult()!;
        body = JsonSerializer.Serialize(record.Ticket, VemJson.Options);
        sale = JsonSerializer.Serialize(BenchSales.Sale(1), VemJson.Options);
    }

    [Benchmark(Baseline = true)]
    public void RawSqliteInsert()
    {
        var i = Interlocked.Increment(ref n);
        using var tx = raw.BeginTransaction(deferred: false);
        rawInsert.Transaction = tx;
        rawInsert.Parameters["$p"].Value = Pos.ToString();
        rawInsert.Parameters["$id"].Value = i;
        rawInsert.Parameters["$n"].Value = "260101" + i;
        rawInsert.Parameters["$r"].Value = "raw-" + i;
        rawInsert.Parameters["$at"].Value = DateTimeOffset.UtcNow.ToString("O");
        rawInsert.Parameters["$b"].Value = body;
        rawInsert.Parameters["$s"].Value = sale;
        rawInsert.ExecuteNonQuery();
        tx.Commit();
    }

    [Benchmark]
    public Task<TicketReceipt> Commit()
    {
        var i = Interlocked.Increment(ref n);
        return service.CommitAsync(Pos, "req-" + i, BenchSales.Sale(i), CancellationToken.None);
    }

    [Benchmark(OperationsPerInvoke = 8)]
    public Task Commit8Tills()
    {
        var tasks = new Task[8];
        for (var t = 0; t < 8; t++)
        {
            var i = Interlocked.Increment(ref n);
            tasks[t] = service.CommitAsync(Pos, "req-" + i, BenchSales.Sale(i), CancellationToken.None);
        }

        return Task.WhenAll(tasks);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        rawInsert.Dispose();
        raw.Dispose();
        service.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
