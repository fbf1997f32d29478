using System.Globalization;
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
/// The WAL is checkpointed in the background (<see cref="WalCheckpointer"/>), never inside a till's call. Connections
/// and their prepared statements come from a <see cref="SqliteSessionPool"/> (the journal's when the file is shared).
/// </summary>
public sealed class SaleStore : IDisposable
{
    private const string InsertSql = """
        INSERT INTO sales (id, pos, open_request_id, state, payment_request_id, body, updated_at, version)
        VALUES (@Id, @Pos, @Rid, @State, @Prid, @Body, @At, @Version) ON CONFLICT (pos, open_request_id) DO NOTHING
        """;

    private const string UpdateSql = """
        UPDATE sales SET state=@State, payment_request_id=@Prid, body=@Body, updated_at=@At, version=@Version
        WHERE id=@Id AND state=@Expected AND version=@Previous
        """;

    private const string ByOpenRequestSql = "SELECT body FROM sales WHERE pos=@pos AND open_request_id=@rid";
    private const string ByIdSql = "SELECT body FROM sales WHERE id=@id";
    private const string ByPaymentRequestSql = "SELECT body FROM sales WHERE pos=@pointOfSale AND payment_request_id=@paymentRequestId";
    private const string UnfinishedSql = "SELECT body FROM sales WHERE state IN ('Paying','Paid') ORDER BY updated_at";
    private const string ByStateSql = "SELECT body FROM sales WHERE state = @State ORDER BY updated_at LIMIT @Limit";
    private const string CountByPosSql = "SELECT pos, COUNT(*) FROM sales WHERE state = @State GROUP BY pos";

    private readonly bool _payingFlushedByJournal;
    private readonly WalCheckpointer _checkpointer;
    private readonly SqliteSessionPool _sessions;
    private readonly bool _ownsSessions;

    /// <summary>Sales in a file of their own.</summary>
    public SaleStore(string databasePath, TimeProvider time, ILogger? logger = null)
        : this(databasePath, new WalCheckpointer(databasePath, time), null, payingFlushedByJournal: false, logger)
    {
    }

    /// <summary>Sales in the payment journal's file: its checkpointer and its connections serve both, and its intent's
    /// FULL commit flushes the move to Paying.</summary>
    internal SaleStore(Journal.PaymentJournal journal, ILogger? logger = null)
        : this(journal.DatabasePath, journal.Checkpointer, journal.Sessions, payingFlushedByJournal: true, logger)
    {
    }

    private SaleStore(string databasePath, WalCheckpointer checkpointer, SqliteSessionPool? sessions, bool payingFlushedByJournal, ILogger? logger)
    {
        _payingFlushedByJournal = payingFlushedByJournal;
        _checkpointer = checkpointer;
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Before anything else opens the file: sales a newer version wrote are refused untouched.
        StoreSchemaMigrator.Migrate(databasePath, SaleSchema.Schema, logger);
        _ownsSessions = sessions is null;
        _sessions = sessions ?? new SqliteSessionPool(databasePath, busyTimeoutMilliseconds: 5000, backgroundCheckpoints: true);
        // The first connection puts the file in WAL mode (every connection of the pool asks for it).
        using var session = _sessions.Rent(durable: false);
        session.Complete();
    }

    /// <summary>The connections of this store's file (for tests: reuse shows as a count that stops growing).</summary>
    internal SqliteSessionPool Sessions => _sessions;

    /// <summary>Stores a new sale, or returns the sale already opened with this request id.</summary>
    public async Task<Sale> InsertOrGetAsync(Sale sale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sale);
        using var session = await _sessions.RentAsync(durable: sale.State == SaleState.Paying && !_payingFlushedByJournal, cancellationToken).ConfigureAwait(false);
        var insert = session.Statement(InsertSql, static p => DeclareSale(p));
        SetSale(insert.Parameters, sale);
        if (SqliteSession.Execute(insert, cancellationToken) == 1)
        {
            session.Complete();
            _checkpointer.NoteWrite();
            return sale;
        }

        var select = session.Statement(ByOpenRequestSql, static p =>
        {
            p.Add("@pos", SqliteType.Text);
            p.Add("@rid", SqliteType.Text);
        });
        select.Parameters[0].Value = sale.PointOfSale;
        select.Parameters[1].Value = sale.OpenRequestId;
        var existing = ReadOne(select, cancellationToken) ?? throw new InvalidOperationException("A sale conflicted on insert but cannot be read back.");
        session.Complete();
        return existing;
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
        var durable = (sale.State == SaleState.Paying && !_payingFlushedByJournal) || sale.State == SaleState.Refunding;
        using var session = await _sessions.RentAsync(durable, cancellationToken).ConfigureAwait(false);
        var update = session.Statement(UpdateSql, static p =>
        {
            DeclareSale(p);
            p.Add("@Expected", SqliteType.Text);
            p.Add("@Previous", SqliteType.Integer);
        });
        SetSale(update.Parameters, next);
        update.Parameters[8].Value = expected.ToString();
        update.Parameters[9].Value = sale.Version;
        var changed = SqliteSession.Execute(update, cancellationToken);
        session.Complete();
        _checkpointer.NoteWrite();
        return changed == 1 ? next : null;
    }

    public async Task<Sale?> GetAsync(string id, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(ByIdSql, static p => p.Add("@id", SqliteType.Text));
        select.Parameters[0].Value = id;
        var sale = ReadOne(select, cancellationToken);
        session.Complete();
        return sale;
    }

    /// <summary>The sale paid with <paramref name="paymentRequestId"/> at <paramref name="pointOfSale"/>, or null.</summary>
    public async Task<Sale?> GetByPaymentRequestIdAsync(string pointOfSale, string paymentRequestId, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(ByPaymentRequestSql, static p =>
        {
            p.Add("@pointOfSale", SqliteType.Text);
            p.Add("@paymentRequestId", SqliteType.Text);
        });
        select.Parameters[0].Value = pointOfSale;
        select.Parameters[1].Value = paymentRequestId;
        var sale = ReadOne(select, cancellationToken);
        session.Complete();
        return sale;
    }

    /// <summary>Sales whose payment or ticket is not finished: what recovery completes.</summary>
    public async Task<IReadOnlyList<Sale>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var sales = ReadAll(session.Statement(UnfinishedSql), cancellationToken);
        session.Complete();
        return sales;
    }

    /// <summary>Sales in <paramref name="state"/> (all points of sale, oldest change first), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Sale>> ListByStateAsync(SaleState state, int limit, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(ByStateSql, static p =>
        {
            p.Add("@State", SqliteType.Text);
            p.Add("@Limit", SqliteType.Integer);
        });
        select.Parameters[0].Value = state.ToString();
        select.Parameters[1].Value = Math.Clamp(limit, 1, 10_000);
        var sales = ReadAll(select, cancellationToken);
        session.Complete();
        return sales;
    }

    /// <summary>How many sales of each point of sale are in <paramref name="state"/>.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByPointOfSaleAsync(SaleState state, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(CountByPosSql, static p => p.Add("@State", SqliteType.Text));
        select.Parameters[0].Value = state.ToString();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var reader = SqliteSession.Read(select, cancellationToken))
        {
            while (reader.Read())
            {
                counts[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        session.Complete();
        return counts;
    }

    /// <summary>Closes the store's connections (not the journal's, when the file is shared: the journal owns them).</summary>
    public void Dispose()
    {
        if (_ownsSessions)
        {
            _sessions.Dispose();
        }
    }

    // The eight columns of a sale, in the order of SetSale (UpdateSql adds its two after them).
    private static void DeclareSale(SqliteParameterCollection p)
    {
        p.Add("@Id", SqliteType.Text);
        p.Add("@Pos", SqliteType.Text);
        p.Add("@Rid", SqliteType.Text);
        p.Add("@State", SqliteType.Text);
        p.Add("@Prid", SqliteType.Text);
        p.Add("@Body", SqliteType.Text);
        p.Add("@At", SqliteType.Text);
        p.Add("@Version", SqliteType.Integer);
    }

    private static void SetSale(SqliteParameterCollection p, Sale sale)
    {
        p[0].Value = sale.Id;
        p[1].Value = sale.PointOfSale;
        p[2].Value = sale.OpenRequestId;
        p[3].Value = sale.State.ToString();
        p[4].Value = (object?)sale.PaymentRequestId ?? DBNull.Value;
        p[5].Value = SaleJson.Serialize(sale);
        p[6].Value = sale.UpdatedAt.ToString("O", CultureInfo.InvariantCulture);
        p[7].Value = sale.Version;
    }

    private static Sale? ReadOne(SqliteCommand select, CancellationToken cancellationToken)
    {
        using var reader = SqliteSession.Read(select, cancellationToken);
        return reader.Read() ? Deserialize(reader.GetString(0)) : null;
    }

    private static List<Sale> ReadAll(SqliteCommand select, CancellationToken cancellationToken)
    {
        var sales = new List<Sale>();
        using var reader = SqliteSession.Read(select, cancellationToken);
        while (reader.Read())
        {
            sales.Add(Deserialize(reader.GetString(0)));
        }

        return sales;
    }

    private static Sale Deserialize(string body) => SaleJson.Deserialize(body);
}
