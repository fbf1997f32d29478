using System.Globalization;
using Dapper;
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
/// The WAL is checkpointed in the background (<see cref="WalCheckpointer"/>), never inside a till's call.
/// </summary>
public sealed class PaymentJournal
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly WalCheckpointer _checkpointer;

    public PaymentJournal(string databasePath, TimeProvider time, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
        _time = time;
        DatabasePath = databasePath;
        _checkpointer = new WalCheckpointer(databasePath, time);
        // Before anything else opens the file: a journal a newer version wrote is refused untouched, and so are sales a
        // newer version wrote in it (the default), before this store creates or migrates anything there.
        StoreSchemaMigrator.Migrate(databasePath, PaymentSchema.Schema, logger, time, sharing: [Sales.SaleSchema.Schema]);
        using var connection = Open();
        connection.Execute("PRAGMA journal_mode=WAL;");
    }

    /// <summary>The journal's SQLite file, as configured.</summary>
    internal string DatabasePath { get; }

    /// <summary>The background checkpointer of the journal's file (the sales use it when they share the file).</summary>
    internal WalCheckpointer Checkpointer => _checkpointer;

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
        await using var connection = Open();
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO payments (pos, request_id, client_order_id, sale_id, channel, amount, medium_json, state, created_at, updated_at, last_attempt_at)
            VALUES (@pos, @rid, @coid, @sale, @channel, @amount, @medium, 'Pending', @now, @now, @attempt)
            ON CONFLICT (pos, request_id) DO NOTHING
            """, new
        {
            pos = pointOfSale,
            rid = record.RequestId,
            coid = record.ClientOrderId,
            sale = saleId,
            channel,
            amount = Format(amount),
            medium = mediumJson,
            now = Format(now),
            attempt = attemptNow ? Format(now) : null,
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 1)
        {
            _checkpointer.NoteWrite();
            return (record, true);
        }

        var existing = await GetAsync(pointOfSale, requestId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A payment conflicted on insert but cannot be read back.");
        return (existing, false);
    }

    /// <summary>Marks the moment Izly is called (debit or status query), durably, before the call.</summary>
    public Task MarkAttemptAsync(string clientOrderId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE payments SET last_attempt_at=@now, updated_at=@now WHERE client_order_id=@coid",
            new { coid = clientOrderId, now = Format(_time.GetUtcNow()) }, cancellationToken);

    /// <summary>Izly debited: records the transaction. Only a Pending or Unknown payment can become Approved.
    /// <paramref name="balanceAfter"/> is null when Izly does not tell it (an IzlyPay web payment).</summary>
    public Task<bool> ApproveAsync(string clientOrderId, string idTransactionIzly, decimal? balanceAfter, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state IN ('Pending','Unknown')",
            "state='Approved', id_transaction=@txn, balance_after=@balance, error_code=NULL, error_detail=NULL",
            new { txn = idTransactionIzly, balance = balanceAfter is { } b ? Format(b) : null }, durable: false, cancellationToken);

    /// <summary>
    /// A payment terminal accepted (or an operator read on its receipt that it did): the terminal's report is kept for the
    /// card receipt, and <paramref name="resolvedBy"/> names who settled it by hand (null when the terminal answered).
    /// </summary>
    public Task<bool> ApproveTerminalAsync(string clientOrderId, string? report, string? resolvedBy, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state IN ('Pending','Unknown')",
            "state='Approved', terminal_report=@report, resolved_by=@by, error_code=NULL, error_detail=NULL",
            new { report, by = resolvedBy }, durable: true, cancellationToken);

    /// <summary>A payment terminal refused or did not complete (or an operator read so on its receipt).</summary>
    public Task<bool> RefuseTerminalAsync(string clientOrderId, int errorCode, string detail, string? report, string? resolvedBy, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state IN ('Pending','Unknown')",
            "state='Refused', error_code=@code, error_detail=@detail, terminal_report=@report, resolved_by=@by",
            new { code = errorCode, detail, report, by = resolvedBy }, durable: true, cancellationToken);

    /// <summary>An operator read on the terminal's receipt whether a refund whose answer was lost was made.</summary>
    public Task<bool> ResolveRefundAsync(string clientOrderId, bool refunded, string resolvedBy, CancellationToken cancellationToken) =>
        refunded
            ? TransitionAsync(clientOrderId, "state='Approved' AND refund_requested_at IS NOT NULL", "state='Cancelled', refund_requested_at=NULL, resolved_by=@by",
                new { by = resolvedBy }, durable: true, cancellationToken)
            : TransitionAsync(clientOrderId, "state='Approved' AND refund_requested_at IS NOT NULL", "refund_requested_at=NULL, resolved_by=@by",
                new { by = resolvedBy }, durable: true, cancellationToken);

    /// <summary>Izly refused, or proved it never got the debit.</summary>
    public Task<bool> RefuseAsync(string clientOrderId, int errorCode, string detail, CancellationToken cancellationToken) =>
        RefuseAsync(clientOrderId, errorCode, detail, null, cancellationToken);

    /// <summary>
    /// Refuses a payment that was never sent, unless an attempt was recorded after <paramref name="lastAttemptAt"/> (a
    /// retried izlypay.start may be sending it right now): the decision and the attempt cannot cross.
    /// </summary>
    public Task<bool> RefuseUnlessAttemptedSinceAsync(string clientOrderId, DateTimeOffset? lastAttemptAt, int errorCode, string detail, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state IN ('Pending','Unknown') AND last_attempt_at IS @seen",
            "state='Refused', error_code=@code, error_detail=@detail",
            new { code = errorCode, detail, seen = lastAttemptAt is { } t ? Format(t) : null }, durable: false, cancellationToken);

    /// <summary>Izly refused and told the holder's balance (insufficient balance): it is kept as the balance after the
    /// (refused) payment, so that the till can show it.</summary>
    public Task<bool> RefuseAsync(string clientOrderId, int errorCode, string detail, decimal? balance, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state IN ('Pending','Unknown')",
            "state='Refused', error_code=@code, error_detail=@detail, balance_after=@balance",
            new { code = errorCode, detail, balance = balance is { } b ? Format(b) : null }, durable: false, cancellationToken);

    /// <summary>The answer was lost: the outcome must be recovered by a status query.</summary>
    public Task<bool> MarkUnknownAsync(string clientOrderId, int errorCode, string detail, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state IN ('Pending','Unknown')",
            "state='Unknown', error_code=@code, error_detail=@detail", new { code = errorCode, detail }, durable: false, cancellationToken);

    /// <summary>A completed debit was refunded.</summary>
    public Task<bool> CancelAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state='Approved'", "state='Cancelled', refund_requested_at=NULL", null, durable: true, cancellationToken);

    /// <summary>
    /// The intent of a refund, on disk (FULL) before Izly is asked to refund: if the host dies or the answer is lost,
    /// recovery finds it and records what Izly did (<see cref="ListRefundingAsync"/>).
    /// </summary>
    public Task<bool> MarkRefundRequestedAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state='Approved'", "refund_requested_at=@now", null, durable: true, cancellationToken);

    /// <summary>The intent of a refund through a payment terminal: only the first ask marks it (a refund already asked,
    /// whose answer may be lost, is never asked again: an operator settles it from the receipt).</summary>
    public Task<bool> MarkTerminalRefundRequestedAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "state='Approved' AND refund_requested_at IS NULL", "refund_requested_at=@now", null, durable: true, cancellationToken);

    /// <summary>Izly did not refund (it refused, or says the debit stands): the payment stays Approved, nothing to recover.</summary>
    public Task<bool> ClearRefundRequestAsync(string clientOrderId, CancellationToken cancellationToken) =>
        TransitionAsync(clientOrderId, "refund_requested_at IS NOT NULL", "refund_requested_at=NULL", null, durable: true, cancellationToken);

    /// <summary>Approved payments whose refund was asked and whose outcome is not recorded.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListRefundingAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT * FROM payments WHERE refund_requested_at IS NOT NULL AND state='Approved' ORDER BY refund_requested_at", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<PaymentRecord?> GetAsync(string pointOfSale, Guid requestId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT * FROM payments WHERE pos=@pos AND request_id=@rid", new { pos = pointOfSale, rid = requestId.ToString("D") },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<PaymentRecord?> GetByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT * FROM payments WHERE client_order_id=@coid", new { coid = clientOrderId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<PaymentRecord>> ListBySaleAsync(string saleId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT * FROM payments WHERE sale_id=@sale ORDER BY created_at", new { sale = saleId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Payments of <paramref name="pointOfSale"/> created in [<paramref name="from"/>, <paramref name="to"/>), oldest
    /// first, at most <paramref name="limit"/>: what a reconciliation compares with Izly's list.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListCreatedBetweenAsync(string pointOfSale, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT * FROM payments WHERE pos=@pos AND created_at >= @from AND created_at < @to ORDER BY created_at LIMIT @limit",
            new { pos = pointOfSale, from = Format(from), to = Format(to), limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Payments of <paramref name="pointOfSale"/> whose Izly transaction is one of <paramref name="idTransactions"/>.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListByTransactionsAsync(string pointOfSale, IReadOnlyCollection<string> idTransactions, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var found = new List<PaymentRecord>();
        foreach (var chunk in idTransactions.Chunk(500))
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(
                "SELECT * FROM payments WHERE pos=@pos AND id_transaction IN @ids", new { pos = pointOfSale, ids = chunk }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            found.AddRange(rows.Select(r => r.ToRecord()));
        }

        return found;
    }

    /// <summary>Payments whose outcome is still open (Pending or Unknown): what recovery settles.</summary>
    public async Task<IReadOnlyList<PaymentRecord>> ListOpenAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT * FROM payments WHERE state IN ('Pending','Unknown') ORDER BY created_at", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    private async Task<bool> TransitionAsync(string clientOrderId, string fromCondition, string set, object? values, bool durable, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("coid", clientOrderId);
        parameters.Add("now", Format(_time.GetUtcNow()));
        await using var connection = Open(durable);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE payments SET {set}, updated_at=@now WHERE client_order_id=@coid AND {fromCondition}", parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        _checkpointer.NoteWrite();
        return changed == 1;
    }

    private async Task ExecuteAsync(string sql, object values, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await connection.ExecuteAsync(new CommandDefinition(sql, values, cancellationToken: cancellationToken)).ConfigureAwait(false);
        _checkpointer.NoteWrite();
    }

    private SqliteConnection Open(bool durable = true)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // FULL: a payment intent acknowledged here must survive a power cut, not only a process crash.
        PooledConnectionSettings.Apply(connection, durable, busyTimeoutMilliseconds: 5000, backgroundCheckpoints: true);
        return connection;
    }

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static decimal? ParseDecimal(string? text) => text is null ? null : decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text) => text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    // Dapper maps columns to these by name (snake_case kept as in the table).
    private sealed class Row
    {
        public string pos { get; set; } = "";
        public string request_id { get; set; } = "";
        public string client_order_id { get; set; } = "";
        public string? sale_id { get; set; }
        public string channel { get; set; } = "";
        public string amount { get; set; } = "0";
        public string? medium_json { get; set; }
        public string state { get; set; } = "";
        public string? id_transaction { get; set; }
        public string? balance_after { get; set; }
        public long? error_code { get; set; }
        public string? error_detail { get; set; }
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";
        public string? last_attempt_at { get; set; }
        public string? refund_requested_at { get; set; }
        public string? terminal_report { get; set; }
        public string? resolved_by { get; set; }

        public PaymentRecord ToRecord() => new()
        {
            PointOfSale = pos,
            RequestId = request_id,
            ClientOrderId = client_order_id,
            SaleId = sale_id,
            Channel = channel,
            Amount = ParseDecimal(amount)!.Value,
            MediumJson = medium_json,
            State = Enum.Parse<PaymentState>(state),
            IdTransactionIzly = id_transaction,
            BalanceAfter = ParseDecimal(balance_after),
            ErrorCode = error_code is null ? null : (int)error_code.Value,
            ErrorDetail = error_detail,
            CreatedAt = ParseTime(created_at)!.Value,
            UpdatedAt = ParseTime(updated_at)!.Value,
            LastAttemptAt = ParseTime(last_attempt_at),
            RefundRequestedAt = ParseTime(refund_requested_at),
            TerminalReport = terminal_report,
            ResolvedBy = resolved_by,
        };
    }
}
