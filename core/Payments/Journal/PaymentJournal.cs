using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Storage;

namespace Middleware.Payments.Journal;

/// <summary>
/// The durable payment journal (SQLite, WAL): the intent of every debit is on disk (synchronous=FULL) before Izly is
/// called, so a crash or a lost answer is settled by asking Izly, never by paying again (design.md, lesson 5).
/// Keyed by (point of sale, request id); the client order id sent to Izly is derived from both.
/// <para>
/// Izly's outcome (approved, refused, unknown) is written synchronous=NORMAL: it survives a crash of the host, and what a
/// power cut loses is learnt again from Izly, by client order id, as for a lost answer (the intent with its attempt is on
/// disk). A refund stays FULL, its intent (<see cref="MarkRefundRequestedAsync"/>) as its outcome (<see cref="CancelAsync"/>): a refund whose answer was lost is learnt again from Izly (the debit's status).
/// </para>
/// The WAL is checkpointed in the background (<see cref="WalCheckpointer"/>), never inside a till's call. Connections
/// and their prepared statements come from a <see cref="SqliteSessionPool"/>, shared with the sales when they live in
/// this file.
/// </summary>
public sealed class PaymentJournal : IDisposable
{
    // The columns of a PaymentRecord, in the order ReadRecord reads them.
    private const string Columns = "pos, request_id, client_order_id, sale_id, channel, amount, medium_json, state, id_transaction, balance_after, "
        + "error_code, error_detail, created_at, updated_at, last_attempt_at, refund_requested_at, terminal_report, resolved_by";

    private const string InsertIntentSql = """
        INSERT INTO payments (pos, request_id, client_order_id, sale_id, channel, amount, medium_json, state, created_at, updated_at, last_attempt_at)
        VALUES (@pos, @rid, @coid, @sale, @channel, @amount, @medium, 'Pending', @now, @now, @attempt)
        ON CONFLICT (pos, request_id) DO NOTHING
        """;

    private const string ByRequestSql = "SELECT " + Columns + " FROM payments WHERE pos=@pos AND request_id=@rid";
    private const string ByClientOrderIdSql = "SELECT " + Columns + " FROM payments WHERE client_order_id=@coid";
    private const string BySaleSql = "SELECT " + Columns + " FROM payments WHERE sale_id=@sale ORDER BY created_at";
    private const string RefundingSql = "SELECT " + Columns + " FROM payments WHERE refund_requested_at IS NOT NULL AND state='Approved' ORDER BY refund_requested_at";
    private const string OpenSql = "SELECT " + Columns + " FROM payments WHERE state IN ('Pending','Unknown') ORDER BY created_at";
    private const string CreatedBetweenSql = "SELECT " + Columns + " FROM payments WHERE pos=@pos AND created_at >= @from AND created_at < @to ORDER BY created_at LIMIT @limit";

    // One constant text for any number of transactions: they come as a JSON array (at most 500 per run).
    private const string ByTransactionsSql = "SELECT " + Columns + " FROM payments WHERE pos=@pos AND id_transaction IN (SELECT value FROM json_each(@ids))";

    // Every transition: @coid and @now first, then its own values.
    private const string MarkAttemptSql = "UPDATE payments SET last_attempt_at=@now, updated_at=@now WHERE client_order_id=@coid";
    private const string Pending = " WHERE client_order_id=@coid AND state IN ('Pending','Unknown')";
    private const string ApproveSql = "UPDATE payments SET state='Approved', id_transaction=@txn, balance_after=@balance, error_code=NULL, error_detail=NULL, updated_at=@now" + Pending;
    private const string ApproveTerminalSql = "UPDATE payments SET state='Approved', terminal_report=@report, resolved_by=@by, error_code=NULL, error_detail=NULL, updated_at=@now" + Pending;
    private const string RefuseTerminalSql = "UPDATE payments SET state='Refused', error_code=@code, error_detail=@detail, terminal_report=@report, resolved_by=@by, updated_at=@now" + Pending;
    private const string RefuseUnlessAttemptedSql = "UPDATE payments SET state='Refused', error_code=@code, error_detail=@detail, updated_at=@now" + Pending + " AND last_attempt_at IS @seen";
    private const string RefuseSql = "UPDATE payments SET state='Refused', error_code=@code, error_detail=@detail, balance_after=@balance, updated_at=@now" + Pending;
    private const string MarkUnknownSql = "UPDATE payments SET state='Unknown', error_code=@code, error_detail=@detail, updated_at=@now" + Pending;
    private const string RefundAsked = " WHERE client_order_id=@coid AND state='Approved' AND refund_requested_at IS NOT NULL";
    private const string ResolveRefundedSql = "UPDATE payments SET state='Cancelled', refund_requested_at=NULL, resolved_by=@by, updated_at=@now" + RefundAsked;
    private const string ResolveNotRefundedSql = "UPDATE payments SET refund_requested_at=NULL, resolved_by=@by, updated_at=@now" + RefundAsked;
    private const string CancelSql = "UPDATE payments SET state='Cancelled', refund_requested_at=NULL, updated_at=@now WHERE client_order_id=@coid AND state='Approved'";
    private const string MarkRefundRequestedSql = "UPDATE payments SET refund_requested_at=@now, updated_at=@now WHERE client_order_id=@coid AND state='Approved'";
    private const string MarkTerminalRefundRequestedSql = "UPDATE payments SET refund_requested_at=@now, updated_at=@now WHERE client_order_id=@coid AND state='Approved' AND refund_requested_at IS NULL";
    private const string ClearRefundRequestSql = "UPDATE payments SET refund_requested_at=NULL, updated_at=@now WHERE client_order_id=@coid AND refund_requested_at IS NOT NULL";

    private readonly TimeProvider _time;
    private readonly WalCheckpointer _checkpointer;
    private readonly SqliteSessionPool _sessions;

    public PaymentJournal(string databasePath, TimeProvider time, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _time = time;
        DatabasePath = databasePath;
        _checkpointer = new WalCheckpointer(databasePath, time);
        // Before anything else opens the file: a journal a newer version wrote is refused untouched, and so are sales a
        // newer version wrote in it (the default), before this store creates or migrates anything there.
        StoreSchemaMigrator.Migrate(databasePath, PaymentSchema.Schema, logger, time, sharing: [Sales.SaleSchema.Schema]);
        // FULL connections for what must survive a power cut (intents, attempts, terminal outcomes, refunds), NORMAL for
        // Izly's outcomes and the reads.
        _sessions = new SqliteSessionPool(databasePath, busyTimeoutMilliseconds: 5000, backgroundCheckpoints: true);
        // The first connection puts the file in WAL mode (every connection of the pool asks for it).
        using var session = _sessions.Rent(durable: true);
        session.Complete();
    }

    /// <summary>The journal's SQLite file, as configured.</summary>
    internal string DatabasePath { get; }

    /// <summary>The background checkpointer of the journal's file (the sales use it when they share the file).</summary>
    internal WalCheckpointer Checkpointer => _checkpointer;

    /// <summary>The connections of the journal's file (the sales use them when they share the file).</summary>
    internal SqliteSessionPool Sessions => _sessions;

    /// <summary>The Izly client order id of a till's request: unique per point of sale, the same on every retry.</summary>
    public static string ClientOrderIdFor(string pointOfSale, Guid requestId) =>
        string.Create(CultureInfo.InvariantCulture, $"{pointOfSale}-{requestId:N}");

    /// <summary>
    /// Records the intent of a debit, or returns the payment already recorded for this request id
    /// (<c>created</c> false). A repeat with a different amount or channel is a misuse of the request id.
    /// </summary>
    public Task<(PaymentRecord Record, bool Created)> RecordIntentAsync(
        string pointOfSale, Guid requestId, string? saleId, string channel, decimal amount, string? mediumJson, CancellationToken cancellationToken) =>
        RecordIntentAsync(pointOfSale, requestId, saleId, channel, amount, mediumJson, attemptNow: false, cancellationToken);

    /// <summary>
    /// Records the intent of a debit as above; with <c>attemptNow</c> the caller calls Izly right after, so a new record
    /// is stored with its attempt already marked, in the same durable commit (one disk sync instead of two before the debit).
    /// </summary>
    public async Task<(PaymentRecord Record, bool Created)> RecordIntentAsync(
        string pointOfSale, Guid requestId, string? saleId, string channel, decimal amount, string? mediumJson, bool attemptNow, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var record = new PaymentRecord
        {
            PointOfSale = pointOfSale,
            RequestId = requestId.ToString("D"),
            ClientOrderId = ClientOrderIdFor(pointOfSale, requestId),
            SaleId = saleId,
            Channel = channel,
            Amount = amount,
            MediumJson = mediumJson,
            State = PaymentState.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            LastAttemptAt = attemptNow ? now : null,
        };

        // FULL: a payment intent acknowledged here must survive a power cut, not only a process crash.
        using var session = await _sessions.RentAsync(durable: true, cancellationToken).ConfigureAwait(false);
        var insert = session.Statement(InsertIntentSql, static p =>
        {
            p.Add("@pos", SqliteType.Text);
            p.Add("@rid", SqliteType.Text);
            p.Add("@coid", SqliteType.Text);
            p.Add("@sale", SqliteType.Text);
            p.Add("@channel", SqliteType.Text);
            p.Add("@amount", SqliteType.Text);
            p.Add("@medium", SqliteType.Text);
            p.Add("@now", SqliteType.Text);
            p.Add("@attempt", SqliteType.Text);
        });
        var at = Format(now);
        var values = insert.Parameters;
        values[0].Value = pointOfSale;
        values[1].Value = record.RequestId;
        values[2].Value = record.ClientOrderId;
        values[3].Value = Db(saleId);
        values[4].Value = channel;
        values[5].Value = Format(amount);
        values[6].Value = Db(mediumJson);
        values[7].Value = at;
        values[8].Value = attemptNow ? at : DBNull.Value;
        if (SqliteSession.Execute(insert, cancellationToken) == 1)
        {
            session.Complete();
            _checkpointer.NoteWrite();
            return (record, true);
        }

        var existing = ReadOne(ByRequest(session, pointOfSale, record.RequestId), cancellationToken)
            ?? throw new InvalidOperationException("A payment conflicted on insert but cannot be read back.");
        session.Complete();
        return (existing, false);
    }

    /// <summary>Marks the moment Izly is called (debit or status query), durably, before the call.</summary>
    public Task MarkAttemptAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(MarkAttemptSql, static _ => { }, 0, static (_, _) => { }, clientOrderId, durable: true, cancellationToken);

    /// <summary>Izly debited: records the transaction. Only a Pending or Unknown payment can become Approved.
    /// <paramref name="balanceAfter"/> is null when Izly does not tell it (an IzlyPay web payment).</summary>
    public Task<bool> ApproveAsync(string clientOrderId, string idTransactionIzly, decimal? balanceAfter, CancellationToken cancellationToken) =>
        TransitionAsync(ApproveSql, static p =>
            {
                p.Add("@txn", SqliteType.Text);
                p.Add("@balance", SqliteType.Text);
            }, (idTransactionIzly, balanceAfter), static (p, v) =>
            {
                p[2].Value = v.idTransactionIzly;
                p[3].Value = Db(v.balanceAfter);
            }, clientOrderId, durable: false, cancellationToken);

    /// <summary>
    /// A payment terminal accepted (or an operator read on its receipt that it did): the terminal's report is kept for the
    /// card receipt, and <paramref name="resolvedBy"/> names who settled it by hand (null when the terminal answered).
    /// </summary>
    public Task<bool> ApproveTerminalAsync(string clientOrderId, string? report, string? resolvedBy, CancellationToken cancellationToken) =>
        TransitionAsync(ApproveTerminalSql, static p =>
            {
                p.Add("@report", SqliteType.Text);
                p.Add("@by", SqliteType.Text);
            }, (report, resolvedBy), static (p, v) =>
            {
                p[2].Value = Db(v.report);
                p[3].Value = Db(v.resolvedBy);
            }, clientOrderId, durable: true, cancellationToken);

    /// <summary>A payment terminal refused or did not complete (or an operator read so on its receipt).</summary>
    public Task<bool> RefuseTerminalAsync(string clientOrderId, int errorCode, string detail, string? report, string? resolvedBy, CancellationToken cancellationToken) =>
        TransitionAsync(RefuseTerminalSql, static p =>
            {
                p.Add("@code", SqliteType.Integer);
                p.Add("@detail", SqliteType.Text);
                p.Add("@report", SqliteType.Text);
                p.Add("@by", SqliteType.Text);
            }, (errorCode, detail, report, resolvedBy), static (p, v) =>
            {
                p[2].Value = v.errorCode;
                p[3].Value = Db(v.detail);
                p[4].Value = Db(v.report);
                p[5].Value = Db(v.resolvedBy);
            }, clientOrderId, durable: true, cancellationToken);

    /// <summary>An operator read on the terminal's receipt whether a refund whose answer was lost was made.</summary>
    public Task<bool> ResolveRefundAsync(string clientOrderId, bool refunded, string resolvedBy, CancellationToken cancellationToken) =>
        TransitionAsync(refunded ? ResolveRefundedSql : ResolveNotRefundedSql, static p => p.Add("@by", SqliteType.Text), resolvedBy,
            static (p, by) => p[2].Value = Db(by), clientOrderId, durable: true, cancellationToken);

    /// <summary>Izly refused, or proved it never got the debit.</summary>
    public Task<bool> RefuseAsync(string clientOrderId, int errorCode, string detail, CancellationToken cancellationToken) =>
        RefuseAsync(clientOrderId, errorCode, detail, null, cancellationToken);

    /// <summary>
    /// Refuses a payment that was never sent, unless an attempt was recorded after <paramref name="lastAttemptAt"/> (a
    /// retried izlypay.start may be sending it right now): the decision and the attempt cannot cross.
    /// </summary>
    public Task<bool> RefuseUnlessAttemptedSinceAsync(string clientOrderId, DateTimeOffset? lastAttemptAt, int errorCode, string detail, CancellationToken cancellationToken) =>
        TransitionAsync(RefuseUnlessAttemptedSql, static p =>
            {
                p.Add("@code", SqliteType.Integer);
                p.Add("@detail", SqliteType.Text);
                p.Add("@seen", SqliteType.Text);
            }, (errorCode, detail, lastAttemptAt), static (p, v) =>
            {
                p[2].Value = v.errorCode;
                p[3].Value = Db(v.detail);
                p[4].Value = v.lastAttemptAt is { } t ? Format(t) : DBNull.Value;
            }, clientOrderId, durable: false, cancellationToken);

    /// <summary>Izly refused and told the holder's balance (insufficient balance): it is kept as the balance after the
    /// (refused) payment, so that the till can show it.</summary>
    public Task<bool> RefuseAsync(string clientOrderId, int errorCode, string detail, decimal? balance, CancellationToken cancellationToken) =>
        TransitionAsync(RefuseSql, static p =>
            {
                p.Add("@code", SqliteType.Integer);
                p.Add("@detail", SqliteType.Text);
                p.Add("@balance", SqliteType.Text);
            }, (errorCode, detail, balance), static (p, v) =>
            {
                p[2].Value = v.errorCode;
                p[3].Value = Db(v.detail);
                p[4].Value = Db(v.balance);
            }, clientOrderId, durable: false, cancellationToken);

    /// <summary>The answer was lost: the outcome must be recovered by a status query.</summary>
    public Task<bool> MarkUnknownAsync(string clientOrderId, int errorCode, string detail, CancellationToken cancellationToken) =>
        TransitionAsync(MarkUnknownSql, static p =>
            {
                p.Add("@code", SqliteType.Integer);
                p.Add("@detail", SqliteType.Text);
            }, (errorCode, detail), static (p, v) =>
            {
                p[2].Value = v.errorCode;
                p[3].Value = Db(v.detail);
            }, clientOrderId, durable: false, cancellationToken);

    /// <summary>A completed debit was refunded.</summary>
    public Task<bool> CancelAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(CancelSql, clientOrderId, cancellationToken);

    /// <summary>
    /// The intent of a refund, on disk (FULL) before Izly is asked to refund: if the host dies or the answer is lost,
    /// recovery finds it and records what Izly did (<see cref="ListRefundingAsync"/>).
    /// </summary>
    public Task<bool> MarkRefundRequestedAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(MarkRefundRequestedSql, clientOrderId, cancellationToken);

    /// <summary>The intent of a refund through a payment terminal: only the first ask marks it (a refund already asked,
    /// whose answer may be lost, is never asked again: an operator settles it from the receipt).</summary>
    public Task<bool> MarkTerminalRefundRequestedAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(MarkTerminalRefundRequestedSql, clientOrderId, cancellationToken);

    /// <summary>Izly did not refund (it refused, or says the debit stands): the payment stays Approved, nothing to recover.</summary>
    public Task<bool> ClearRefundRequestAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(ClearRefundRequestSql, clientOrderId, cancellationToken);

    /// <summary>Approved payments whose refund was asked and whose outcome is not recorded.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListRefundingAsync(CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var records = ReadAll(session.Statement(RefundingSql), null, cancellationToken);
        session.Complete();
        return records;
    }

    public async Task<PaymentRecord?> GetAsync(string pointOfSale, Guid requestId, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var record = ReadOne(ByRequest(session, pointOfSale, requestId.ToString("D")), cancellationToken);
        session.Complete();
        return record;
    }

    public async Task<PaymentRecord?> GetByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(ByClientOrderIdSql, static p => p.Add("@coid", SqliteType.Text));
        select.Parameters[0].Value = clientOrderId;
        var record = ReadOne(select, cancellationToken);
        session.Complete();
        return record;
    }

    public async Task<IReadOnlyList<PaymentRecord>> ListBySaleAsync(string saleId, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(BySaleSql, static p => p.Add("@sale", SqliteType.Text));
        select.Parameters[0].Value = saleId;
        var records = ReadAll(select, null, cancellationToken);
        session.Complete();
        return records;
    }

    /// <summary>Payments of <paramref name="pointOfSale"/> created in [<paramref name="from"/>, <paramref name="to"/>), oldest
    /// first, at most <paramref name="limit"/>: what a reconciliation compares with Izly's list.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListCreatedBetweenAsync(string pointOfSale, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(CreatedBetweenSql, static p =>
        {
            p.Add("@pos", SqliteType.Text);
            p.Add("@from", SqliteType.Text);
            p.Add("@to", SqliteType.Text);
            p.Add("@limit", SqliteType.Integer);
        });
        select.Parameters[0].Value = pointOfSale;
        select.Parameters[1].Value = Format(from);
        select.Parameters[2].Value = Format(to);
        select.Parameters[3].Value = limit;
        var records = ReadAll(select, null, cancellationToken);
        session.Complete();
        return records;
    }

    /// <summary>Payments of <paramref name="pointOfSale"/> whose Izly transaction is one of <paramref name="idTransactions"/>.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListByTransactionsAsync(string pointOfSale, IReadOnlyCollection<string> idTransactions, CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(ByTransactionsSql, static p =>
        {
            p.Add("@pos", SqliteType.Text);
            p.Add("@ids", SqliteType.Text);
        });
        var found = new List<PaymentRecord>();
        foreach (var chunk in idTransactions.Chunk(500))
        {
            select.Parameters[0].Value = pointOfSale;
            select.Parameters[1].Value = JsonSerializer.Serialize(chunk, TransactionIdListJson.Default.StringArray);
            ReadAll(select, found, cancellationToken);
        }

        session.Complete();
        return found;
    }

    /// <summary>Payments whose outcome is still open (Pending or Unknown): what recovery settles.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListOpenAsync(CancellationToken cancellationToken)
    {
        using var session = await _sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var records = ReadAll(session.Statement(OpenSql), null, cancellationToken);
        session.Complete();
        return records;
    }

    /// <summary>Closes the journal's connections (and the sales', when they share its file).</summary>
    public void Dispose() => _sessions.Dispose();

    private Task<bool> TransitionAsync(string sql, string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(sql, static _ => { }, 0, static (_, _) => { }, clientOrderId, durable: true, cancellationToken);

    /// <summary>Runs one UPDATE of a payment: its parameters are @coid and @now, then those <paramref name="declare"/> adds
    /// (from index 2), valued by <paramref name="set"/> from <paramref name="values"/> (static lambdas: nothing allocated).</summary>
    private async Task<bool> TransitionAsync<TValues>(string sql, Action<SqliteParameterCollection> declare, TValues values,
        Action<SqliteParameterCollection, TValues> set, string clientOrderId, bool durable, CancellationToken cancellationToken)
    {
        var now = Format(_time.GetUtcNow());
        using var session = await _sessions.RentAsync(durable, cancellationToken).ConfigureAwait(false);
        var update = session.Statement(sql, declare, static (p, declareOwn) =>
        {
            p.Add("@coid", SqliteType.Text);
            p.Add("@now", SqliteType.Text);
            declareOwn(p);
        });
        update.Parameters[0].Value = clientOrderId;
        update.Parameters[1].Value = now;
        set(update.Parameters, values);
        var changed = SqliteSession.Execute(update, cancellationToken);
        session.Complete();
        _checkpointer.NoteWrite();
        return changed == 1;
    }

    private static SqliteCommand ByRequest(SqliteSession session, string pointOfSale, string requestId)
    {
        var select = session.Statement(ByRequestSql, static p =>
        {
            p.Add("@pos", SqliteType.Text);
            p.Add("@rid", SqliteType.Text);
        });
        select.Parameters[0].Value = pointOfSale;
        select.Parameters[1].Value = requestId;
        return select;
    }

    private static PaymentRecord? ReadOne(SqliteCommand select, CancellationToken cancellationToken)
    {
        using var reader = SqliteSession.Read(select, cancellationToken);
        return reader.Read() ? ReadRecord(reader) : null;
    }

    private static List<PaymentRecord> ReadAll(SqliteCommand select, List<PaymentRecord>? into, CancellationToken cancellationToken)
    {
        into ??= [];
        using var reader = SqliteSession.Read(select, cancellationToken);
        while (reader.Read())
        {
            into.Add(ReadRecord(reader));
        }

        return into;
    }

    // By ordinal, in the order of Columns.
    private static PaymentRecord ReadRecord(SqliteDataReader r) => new()
    {
        PointOfSale = r.GetString(0),
        RequestId = r.GetString(1),
        ClientOrderId = r.GetString(2),
        SaleId = Text(r, 3),
        Channel = r.GetString(4),
        Amount = ParseDecimal(r.GetString(5)),
        MediumJson = Text(r, 6),
        State = Enum.Parse<PaymentState>(r.GetString(7)),
        IdTransactionIzly = Text(r, 8),
        BalanceAfter = Text(r, 9) is { } balance ? ParseDecimal(balance) : null,
        ErrorCode = r.IsDBNull(10) ? null : (int)r.GetInt64(10),
        ErrorDetail = Text(r, 11),
        CreatedAt = ParseTime(r.GetString(12)),
        UpdatedAt = ParseTime(r.GetString(13)),
        LastAttemptAt = Text(r, 14) is { } attempt ? ParseTime(attempt) : null,
        RefundRequestedAt = Text(r, 15) is { } refund ? ParseTime(refund) : null,
        TerminalReport = Text(r, 16),
        ResolvedBy = Text(r, 17),
    };

    private static string? Text(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static object Db(string? value) => (object?)value ?? DBNull.Value;

    private static object Db(decimal? value) => value is { } v ? Format(v) : DBNull.Value;

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static decimal ParseDecimal(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
