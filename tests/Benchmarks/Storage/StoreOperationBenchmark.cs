using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Data.Sqlite;
using Middleware.Pipe.Idempotency;

namespace Middleware.Benchmarks.Storage;

/// <summary>
/// One store operation three ways, each on its own real SQLite file (WAL, synchronous=NORMAL, auto-checkpoint off):
/// <c>Store*</c> through the store (<see cref="IdempotencyStore"/> on the shared session pool: a kept connection, its
/// statements prepared once), <c>Dapper*</c> the old style (a pooled Microsoft.Data.Sqlite connection opened per call
/// and Dapper, which prepares the SQL again each time), <c>Floor*</c> a raw prepared command on one kept connection
/// (what SQLite itself costs). The insert is the idempotency store's answer insert, the read its look-up by key.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter *StoreOperationBenchmark* --job short --inProcess</c>
/// </summary>
[MemoryDiagnoser]
public class StoreOperationBenchmark
{
    private const string Pos = "5-1-9-8-14";
    private const string InsertSql =
        "INSERT OR IGNORE INTO idempotency (point_of_sale, request_id, method, params_hash, is_error, answer_json, created_at_ms) VALUES (@pointOfSale, @requestId, @method, @paramsHash, @isError, @answerJson, @createdAtMs)";

    private const string FindSql =
        "SELECT method AS Method, params_hash AS ParamsHash, is_error AS IsError, answer_json AS AnswerJson, created_at_ms AS CreatedAtMs FROM idempotency WHERE point_of_sale = @pointOfSale AND request_id = @requestId";

    private static readonly StoredAnswer Answer = new("sale.pay", new string('a', 64), false, """{"saleId":"0123456789abcdef","state":"Paid"}""", DateTimeOffset.UnixEpoch);

    private string dir = "";
    private IdempotencyStore store = null!;
    private string dapperConnectionString = "";
    private SqliteConnection floor = null!;
    private SqliteCommand floorInsert = null!;
    private SqliteCommand floorFind = null!;
    private long n;

    [GlobalSetup]
    public void Setup()
    {
        dir = Path.Combine(Path.GetTempPath(), "mw-store-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        store = new IdempotencyStore(Path.Combine(dir, "store.db"), TimeProvider.System);
        store.InitializeAsync(default).GetAwaiter().GetResult();
        store.TryAddAsync(Pos, "known", Answer, durable: false, default).GetAwaiter().GetResult();

        // The old style's file: same schema (made by the store), its pooled handle given the same pragmas once, as
        // PooledConnectionSettings did.
        var oldPath = Path.Combine(dir, "dapper.db");
        using (var schema = new IdempotencyStore(oldPath, TimeProvider.System))
        {
            schema.InitializeAsync(default).GetAwaiter().GetResult();
            schema.TryAddAsync(Pos, "known", Answer, durable: false, default).GetAwaiter().GetResult();
        }

        dapperConnectionString = new SqliteConnectionStringBuilder { DataSource = oldPath, Pooling = true }.ToString();
        using (var first = new SqliteConnection(dapperConnectionString))
        {
            first.Open();
            first.Execute("PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=0; PRAGMA synchronous=NORMAL;");
        }

        var floorPath = Path.Combine(dir, "floor.db");
        using (var schema = new IdempotencyStore(floorPath, TimeProvider.System))
        {
            schema.InitializeAsync(default).GetAwaiter().GetResult();
            schema.TryAddAsync(Pos, "known", Answer, durable: false, default).GetAwaiter().GetResult();
        }

        floor = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = floorPath, Pooling = false }.ToString());
        floor.Open();
        floor.Execute("PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=0; PRAGMA synchronous=NORMAL;");
        floorInsert = floor.CreateCommand();
        floorInsert.CommandText = InsertSql;
        foreach (var name in new[] { "@pointOfSale", "@requestId", "@method", "@paramsHash", "@isError", "@answerJson", "@createdAtMs" })
        {
            floorInsert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        floorInsert.Prepare();
        floorFind = floor.CreateCommand();
        floorFind.CommandText = FindSql;
        floorFind.Parameters.Add(new SqliteParameter { ParameterName = "@pointOfSale", Value = Pos });
        floorFind.Parameters.Add(new SqliteParameter { ParameterName = "@requestId", Value = "known" });
        floorFind.Prepare();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        store.Dispose();
        floorInsert.Dispose();
        floorFind.Dispose();
        floor.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int FloorInsert()
    {
        var p = floorInsert.Parameters;
        p[0].Value = Pos;
        p[1].Value = NextId();
        p[2].Value = Answer.Method;
        p[3].Value = Answer.ParamsHash;
        p[4].Value = 0L;
        p[5].Value = Answer.AnswerJson;
        p[6].Value = 0L;
        return floorInsert.ExecuteNonQuery();
    }

    [Benchmark]
    public Task<bool> StoreInsert() => store.TryAddAsync(Pos, NextId(), Answer, durable: false, default);

    [Benchmark]
    public async Task<int> DapperInsert()
    {
        await using var connection = new SqliteConnection(dapperConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            pointOfSale = Pos,
            requestId = NextId(),
            method = Answer.Method,
            paramsHash = Answer.ParamsHash,
            isError = 0,
            answerJson = Answer.AnswerJson,
            createdAtMs = 0L,
        })).ConfigureAwait(false);
    }

    [Benchmark]
    public string? FloorFind()
    {
        using var reader = floorFind.ExecuteReader();
        return reader.Read() ? reader.GetString(3) : null;
    }

    [Benchmark]
    public async Task<string?> StoreFind() => (await store.FindAsync(Pos, "known", default).ConfigureAwait(false))?.AnswerJson;

    [Benchmark]
    public async Task<string?> DapperFind()
    {
        await using var connection = new SqliteConnection(dapperConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(FindSql, new { pointOfSale = Pos, requestId = "known" })).ConfigureAwait(false);
        return row?.AnswerJson;
    }

    private string NextId() => (++n).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Row
    {
        public string Method { get; set; } = "";
        public string ParamsHash { get; set; } = "";
        public long IsError { get; set; }
        public string AnswerJson { get; set; } = "";
        public long CreatedAtMs { get; set; }
    }
}
