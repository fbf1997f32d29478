using Middleware.Tickets.Numbering;
using Middleware.Domain.Reference;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Data.Sqlite;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Tickets;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Storage;

namespace Middleware.Benchmarks.Tickets;

/// <summary>
/// Ticket commit (validate + number + map + durable write, synchronous=FULL, WAL) next to a raw SQLite insert of the
/// same row at the same durability, and the parts of a commit measured alone: <c>MapValidateSerialize</c> (the CPU
/// part: built-in mapping, validation, the ticket's and the sale's JSON) and <c>WriterStatements</c> (the writer's
/// SQL for one ticket: the requestId look-up, the insert, the numbering upsert, in one synchronous=FULL transaction
/// on a kept connection with SQLite's default inline auto-checkpoint). Commit minus these two is the hand-over to the
/// writer and back. One invocation per iteration, so Mean is the per-ticket latency (throughput = 1/Mean) and P99 the
/// per-ticket 99th percentile. <c>Commit8Tills</c>: 8 tills committing at once (group commit), per-ticket figures =
/// the column values / 8. Count fsyncs per commit with
/// <c>strace -f -c -e trace=fsync,fdatasync</c> around a run filtered to <c>*TicketCommitBenchmark.Commit</c>.
/// <c>CommitJournaled</c>: the same commit with the signed sales journal (issue 16); <c>SignEntry</c>: its Ed25519 signature alone.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter *TicketCommitBenchmark*</c>
/// </summary>
[Config(typeof(Config))]
public class TicketCommitBenchmark
{
    private static readonly PointOfSaleId Pos = PointOfSaleId.Parse("5-1-9-8-14");
    private string dir = "";
    private TicketService service = null!;
    private TicketService journaled = null!;
    private JournalSigningKey key = null!;
    private SqliteConnection raw = null!;
    private SqliteCommand rawInsert = null!;
    private int n;
    private string body = "";
    private string sale = "";
    private SqliteConnection writer = null!;
    private readonly BenchCatalog catalog = new();

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
        var options = new TicketsOptions { DatabasePath = Path.Combine(dir, "tickets.db"), VersionLogiciel = "bench", UnknownNumberingOrigin = UnknownNumberingOrigin.StartAtOne };
        service = new TicketService(new TicketDatabase(options.DatabasePath), options, DefaultTicketMapper.Instance, new FixedReferenceCatalogSource(new BenchCatalog()), TimeProvider.System, new OutboxSignal());

        // The same commit with the signed sales journal appended in its transaction (issue 16), as the host runs it.
        key = JournalSigningKey.LoadOrCreate(Path.Combine(dir, "journal.key"));
        journaled = new TicketService(new TicketDatabase(Path.Combine(dir, "journaled.db")), new TicketsOptions { DatabasePath = Path.Combine(dir, "journaled.db"), VersionLogiciel = "bench", UnknownNumberingOrigin = UnknownNumberingOrigin.StartAtOne },
            DefaultTicketMapper.Instance, new FixedReferenceCatalogSource(new BenchCatalog()), TimeProvider.System, new OutboxSignal(),
            journal: new JournalWriter(key, new JournalHeadAnchor(Path.Combine(dir, "journaled.db.head"), key)));

        // The raw baseline: the same table shape and row, one transaction per insert, WAL + synchronous=FULL.
        var rawDb = new TicketDatabase(Path.Combine(dir, "raw.db"));
        raw = rawDb.Open(durable: true);
        rawInsert = raw.CreateCommand();
        rawInsert.CommandText = "INSERT INTO tickets (pos, id, numero, request_id, committed_at, online, body, sale) VALUES ($p, $id, $n, $r, $at, 0, $b, $s)";
        foreach (var p in new[] { "$p", "$id", "$n", "$r", "$at", "$b", "$s" })
        {
            rawInsert.Parameters.Add(new SqliteParameter(p, null));
        }

        writer = new TicketDatabase(Path.Combine(dir, "writer.db")).Open(durable: true);

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
    public int MapValidateSerialize()
    {
        var i = Interlocked.Increment(ref n);
        var s = BenchSales.Sale(i);
        var identity = new TicketIdentity(i, "260101" + i, DateTimeOffset.Now, "bench", null);
        var ticket = DefaultTicketMapper.Instance.Map(new TicketMappingContext(Pos, s, identity, catalog));
        return VemTicketValidator.Validate(ticket, catalog).IsValid
            ? JsonSerializer.Serialize(ticket, VemJson.Options).Length + JsonSerializer.Serialize(s, VemJson.Options).Length
            : throw new InvalidOperationException("The bench sale must be valid.");
    }

    [Benchmark]
    public void WriterStatements()
    {
        var i = Interlocked.Increment(ref n);
        using var tx = writer.BeginTransaction(deferred: false);
        Exec(tx, "SELECT id, numero, body FROM tickets WHERE pos = $p AND request_id = $r", ("$p", Pos.ToString()), ("$r", "w-" + i));
        Exec(tx, "INSERT INTO tickets (pos, id, numero, request_id, committed_at, online, body, sale) VALUES ($p, $id, $n, $r, $at, 0, $b, $s)",
            ("$p", Pos.ToString()), ("$id", i), ("$n", "260101" + i), ("$r", "w-" + i), ("$at", DateTimeOffset.UtcNow.ToString("O")), ("$b", body), ("$s", sale));
        Exec(tx, "INSERT INTO pos_sequence (pos, last_id, day, day_seq) VALUES ($p, $id, '260101', $id) ON CONFLICT(pos) DO UPDATE SET last_id = $id, day_seq = $id",
            ("$p", Pos.ToString()), ("$id", i));
        tx.Commit();
    }

    private void Exec(SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
        }
    }

    [Benchmark]
    public Task<TicketReceipt> Commit()
    {
        var i = Interlocked.Increment(ref n);
        return service.CommitAsync(Pos, "req-" + i, BenchSales.Sale(i), CancellationToken.None);
    }

    /// <summary>The commit with its journal entry: hash, Ed25519 signature, insert, and the head file after the commit.</summary>
    [Benchmark]
    public Task<TicketReceipt> CommitJournaled()
    {
        var i = Interlocked.Increment(ref n);
        return journaled.CommitAsync(Pos, "req-" + i, BenchSales.Sale(i), CancellationToken.None);
    }

    /// <summary>The Ed25519 signature of one entry's hash alone (BouncyCastle).</summary>
    [Benchmark]
    public byte[] SignEntry() => key.Sign(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(Interlocked.Increment(ref n))));

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
        writer.Dispose();
        service.Dispose();
        journaled.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
