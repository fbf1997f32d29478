using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Storage;

namespace Middleware.Payments.Sales;

/// <summary>
/// Sales on disk (SQLite, WAL): from the first payment attempt a sale survives a crash, so a payment taken just before a
/// crash still gets its ticket at restart. A sale is stored whole as JSON; its state and keys are columns for the
/// recovery queries.
/// <para>
/// A write to <see cref="SaleState.Paying"/> must be on disk before the payment journal records the debit's intent, or a
/// power cut could leave money taken for a sale still open. When the sales share the journal's file, it is written
/// synchronous=NORMAL: the intent's FULL commit, next in the same WAL,
/// flushes it too (a FULL commit makes every earlier commit of its WAL durable). In a file of its own it is FULL. Every
/// other write (basket and customer of an open sale, Paid, Committed, Cancelled) is synchronous=NORMAL: it survives a
/// process crash, and a power cut can only lose changes that the journal and the outbox redo (a Paid or Committed state
/// lost is found again from the journal and Izly, and the ticket commit is idempotent), or an open sale's last edit.
/// </para>
/// The WAL is checkpointed in the background (<see cref="WalCheckpointer"/>), never inside a till's call.
/// </summary>
public sealed class SaleStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _connectionString;
    private readonly bool _payingFlushedByJournal;
    private readonly WalCheckpointer _checkpointer;

    /// <summary>Sales in a file of their own.</summary>
    public SaleStore(string databasePath, TimeProvider time, ILogger? logger = null)
        : this(databasePath, new WalCheckpointer(databasePath, time), payingFlushedByJournal: false, logger)
    {
    }

    /// <summary>Sales in the payment journal's file: its checkpointer serves both, and its intent's FULL commit flushes
    /// the move to Paying.</summary>
    internal SaleStore(Journal.PaymentJournal journal, ILogger? logger = null)
        : this(journal.DatabasePath, journal.Checkpointer, payingFlushedByJournal: true, logger)
    {
    }

    private SaleStore(string databasePath, WalCheckpointer checkpointer, bool payingFlushedByJournal, ILogger? logger)
    {
        _payingFlushedByJournal = payingFlushedByJournal;
        _checkpointer = checkpointer;
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
        // Before anything else opens the file: sales a newer version wrote are refused untouched.
        StoreSchemaMigrator.Migrate(databasePath, SaleSchema.Schema, logger);
        using var connection = Open();
        connection.Execute("PRAGMA journal_mode=WAL;");
    }

    /// <summary>Stores a new sale, or returns the sale already opened with this request id.</summary>
    public async Task<Sale> InsertOrGetAsync(Sale sale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sale);
        await using var connection = Open(durable: sale.State == SaleState.Paying && !_payingFlushedByJournal);
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sales (id, pos, open_request_id, state, payment_request_id, body, updated_at, version)
            VALUES (@Id, @Pos, @Rid, @State, @Prid, @Body, @At, @Version) ON CONFLICT (pos, open_request_id) DO NOTHING
            """, Parameters(sale), cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 1)
        {
            _checkpointer.NoteWrite();
            return sale;
        }

        var body = await connection.QuerySingleAsync<string>(new CommandDefinition(
            "SELECT body FROM sales WHERE pos=@pos AND open_request_id=@rid", new { pos = sale.PointOfSale, rid = sale.OpenRequestId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Deserialize(body);
    }

    /// <summary>
    /// Replaces a sale if it is still in <paramref name="expected"/> and still at <paramref name="sale"/>'s version
    /// (optimistic check: nobody wrote it since the caller read it). Returns the sale as written, its version bumped, or
    /// null when the check failed.
    /// </summary>
    public async Task<Sale?> TryUpdateAsync(Sale sale, SaleState expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sale);
        var next = sale with { Version = sale.Version + 1 };
        // A refund is asked only once the sale says so on disk (FULL): a declared CB refund has no journal write to flush it.
        await using var connection = Open(durable: (sale.State == SaleState.Paying && !_payingFlushedByJournal) || sale.State == SaleState.Refunding);
        var parameters = new DynamicParameters(Parameters(next));
        parameters.Add("Expected", expected.ToString());
        parameters.Add("Previous", sale.Version);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE sales SET state=@State, payment_request_id=@Prid, body=@Body, updated_at=@At, version=@Version
            WHERE id=@Id AND state=@Expected AND version=@Previous
            """, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        _checkpointer.NoteWrite();
        return changed == 1 ? next : null;
    }

    public async Task<Sale?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var body = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT body FROM sales WHERE id=@id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return body is null ? null : Deserialize(body);
    }

    /// <summary>The sale paid with <paramref name="paymentRequestId"/> at <paramref name="pointOfSale"/>, or null.</summary>
    public async Task<Sale?> GetByPaymentRequestIdAsync(string pointOfSale, string paymentRequestId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var body = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT body FROM sales WHERE pos=@pointOfSale AND payment_request_id=@paymentRequestId", new { pointOfSale, paymentRequestId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
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

    /// <summary>Sales in <paramref name="state"/> (all points of sale, oldest change first), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Sale>> ListByStateAsync(SaleState state, int limit, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var bodies = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT body FROM sales WHERE state = @State ORDER BY updated_at LIMIT @Limit",
            new { State = state.ToString(), Limit = Math.Clamp(limit, 1, 10_000) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return bodies.Select(Deserialize).ToList();
    }

    /// <summary>How many sales of each point of sale are in <paramref name="state"/>.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByPointOfSaleAsync(SaleState state, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var rows = await connection.QueryAsync<(string Pos, int Count)>(new CommandDefinition(
            "SELECT pos, COUNT(*) FROM sales WHERE state = @State GROUP BY pos", new { State = state.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Pos, r => r.Count, StringComparer.Ordinal);
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
        sale.Version,
    };

    private static Sale Deserialize(string body) => JsonSerializer.Deserialize<Sale>(body, Json) ?? throw new InvalidDataException("Empty sale record.");

    private SqliteConnection Open(bool durable = false)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        PooledConnectionSettings.Apply(connection, durable, busyTimeoutMilliseconds: 5000, backgroundCheckpoints: true);
        return connection;
    }
}
