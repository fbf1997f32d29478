using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Middleware.Payments.Sales;

/// <summary>
/// Sales on disk (SQLite, WAL): from the first payment attempt a sale survives a crash, so a payment taken just before a
/// crash still gets its ticket at restart. A sale is stored whole as JSON; its state and keys are columns for the
/// recovery queries.
/// <para>
/// Only a write to <see cref="SaleState.Paying"/> waits for the disk (synchronous=FULL): it must be on disk before the
/// payment journal records the debit's intent, or a power cut could leave money taken for a sale still open. Every
/// other write (basket and customer of an open sale, Paid, Committed, Cancelled) is synchronous=NORMAL: it survives a
/// process crash, and a power cut can only lose changes that the journal and the outbox redo (a Paid or Committed state
/// lost is found again from the approved journal record, and the ticket commit is idempotent), or an open sale's last
/// edit. A FULL commit also makes every earlier commit of the WAL durable. This spares a fsync on most writes of a sale.
/// </para>
/// </summary>
public sealed class SaleStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _connectionString;

    public SaleStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
        using var connection = Open();
        connection.Execute("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS sales (
                id TEXT PRIMARY KEY,
                pos TEXT NOT NULL,
                open_request_id TEXT NOT NULL,
                state TEXT NOT NULL,
                payment_request_id TEXT,
                body TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (pos, open_request_id));
            CREATE INDEX IF NOT EXISTS sales_unfinished ON sales(state) WHERE state IN ('Paying','Paid');
            CREATE UNIQUE INDEX IF NOT EXISTS sales_payment ON sales(pos, payment_request_id) WHERE payment_request_id IS NOT NULL;
            """);
    }

    /// <summary>Stores a new sale, or returns the sale already opened with this request id.</summary>
    public async Task<Sale> InsertOrGetAsync(Sale sale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sale);
        await using var connection = Open(durable: sale.State == SaleState.Paying);
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sales (id, pos, open_request_id, state, payment_request_id, body, updated_at)
            VALUES (@Id, @Pos, @Rid, @State, @Prid, @Body, @At) ON CONFLICT (pos, open_request_id) DO NOTHING
            """, Parameters(sale), cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 1)
        {
            return sale;
        }

        var body = await connection.QuerySingleAsync<string>(new CommandDefinition(
            "SELECT body FROM sales WHERE pos=@pos AND open_request_id=@rid", new { pos = sale.PointOfSale, rid = sale.OpenRequestId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Deserialize(body);
    }

    /// <summary>Replaces a sale if it is still in <paramref name="expected"/> (optimistic check); false otherwise.</summary>
    public async Task<bool> UpdateAsync(Sale sale, SaleState expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sale);
        await using var connection = Open(durable: sale.State == SaleState.Paying);
        var parameters = new DynamicParameters(Parameters(sale));
        parameters.Add("Expected", expected.ToString());
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE sales SET state=@State, payment_request_id=@Prid, body=@Body, updated_at=@At WHERE id=@Id AND state=@Expected
            """, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<Sale?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var body = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT body FROM sales WHERE id=@id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return body is null ? null : Deserialize(body);
    }

    /// <summary>Sales whose payment or ticket is not finished: what recovery completes.</summary>
    public async Task<IReadOnlyList<Sale>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var bodies = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT body FROM sales WHERE state IN ('Paying','Paid') ORDER BY updated_at", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return bodies.Select(Deserialize).ToList();
    }

    private static object Parameters(Sale sale) => new
    {
        sale.Id,
        Pos = sale.PointOfSale,
        Rid = sale.OpenRequestId,
        State = sale.State.ToString(),
        Prid = sale.PaymentRequestId,
        Body = JsonSerializer.Serialize(sale, Json),
        At = sale.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
    };

    private static Sale Deserialize(string body) => JsonSerializer.Deserialize<Sale>(body, Json) ?? throw new InvalidDataException("Empty sale record.");

    private SqliteConnection Open(bool durable = false)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // synchronous is per connection, and pooled connections keep it: set it on every open.
        connection.Execute(durable ? "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;" : "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        return connection;
    }
}
