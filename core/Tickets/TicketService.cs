using System.Globalization;
using System.Text.Json;
using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Storage;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;
using Middleware.Tickets.Numbering;
using Middleware.Tickets.Refunds;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Whiz;

namespace Middleware.Tickets;

/// <summary>
/// The ticket outbox. Commits go through one writer that groups the commits arriving together into one
/// synchronous=FULL transaction (group commit): each till is answered only after that transaction is on disk, and the
/// numbers are allocated inside it, so a refused or rolled-back ticket leaves no gap.
/// <para>
/// Latency (the till waits for it): a commit that finds no other commit running is written by its caller's own thread,
/// without waking another thread and being woken back (two thread switches, each a scheduling delay on a busy till PC).
/// Commits that arrive meanwhile queue for a dedicated writer thread, woken directly, which groups them; one batch is one
/// transaction and one WAL fsync. Both paths write through one lock, so batches never overlap. WAL
/// checkpoints (copying the WAL into the database file, with its own fsyncs) run on a background connection every
/// <see cref="CheckpointEveryTickets"/> tickets instead of inside whichever commit crosses SQLite's auto-checkpoint size.
/// Durability is unchanged: a ticket is acknowledged once its WAL frames are on disk; a checkpoint is only a copy.
/// </para>
/// <para>
/// Several tills: each commit names its point of sale, and everything about its ticket (time zone, reference catalogue,
/// mapping, validation, numbering origin) is that point of sale's, whichever thread writes the batch. The mapping (a
/// site's script may run there) happens on the caller's thread before the commit is queued, never under the commit
/// lock that other tills' commits wait on; under the lock only numbering, the cheap validation and the insert run.
/// </para>
/// </summary>
internal sealed class TicketService : ITicketService, IAsyncDisposable, IDisposable
{
    // The commit's statements, prepared once on the writer's kept connection (SqliteSession: constant texts).
    private const string FindReceiptSql = "SELECT id, numero, body FROM tickets WHERE pos = $p AND request_id = $r";
    private const string LoadStateSql = "SELECT last_id, day, day_seq FROM pos_sequence WHERE pos = $p";
    private const string InsertTicketSql = "INSERT INTO tickets (pos, id, numero, request_id, committed_at, online, body, sale) VALUES ($p, $id, $n, $r, $at, $o, $b, $s)";
    private const string SaveStateSql = "INSERT INTO pos_sequence (pos, last_id, day, day_seq) VALUES ($p, $id, $d, $s) ON CONFLICT(pos) DO UPDATE SET last_id = $id, day = $d, day_seq = $s";

    internal static readonly JsonSerializerOptions Json = VemJson.Options;

    private readonly TicketDatabase db;
    private readonly TicketsOptions options;
    private readonly ITicketMapper mapper;
    private readonly IReferenceCatalogSource catalogs;
    private readonly INumberingOriginSource? vemOrigins;
    // Points of sale whose numbering row is known to exist (no origin to ask VEM for). Read outside the commit lock.
    private readonly ConcurrentDictionary<PointOfSaleId, bool> numbered = new();
    private readonly TimeProvider time;
    private readonly TicketZones zones;
    private readonly OutboxSignal signal;
    private readonly ILogger logger;
    private readonly JournalWriter? journal;
    /// <summary>Tickets committed between two background WAL checkpoints (a few hundred WAL pages).</summary>
    internal const int CheckpointEveryTickets = 128;

    private readonly ConcurrentQueue<PendingCommit> queue = new();
    private readonly SemaphoreSlim queued = new(0);
    private readonly Lock gate = new();
    // Held while a batch is written (by the writer thread or by a caller writing its own commit): guards the connection,
    // the numbering state and the checkpoint counter.
    private readonly Lock commitLock = new();
    private readonly Dictionary<PointOfSaleId, NumberingState> numbering = [];
    private readonly Thread writer;
    private readonly TaskCompletionSource writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim checkpointDue = new(0, 1);
    private readonly Task checkpointer;
    private volatile bool closed;
    private int sinceCheckpoint;
    private SqliteSession? writerSession;

    public TicketService(TicketDatabase db, TicketsOptions options, ITicketMapper mapper, IReferenceCatalogSource catalogs, TimeProvider time, OutboxSignal signal, ILogger<TicketService>? logger = null, INumberingOriginSource? vemOrigins = null, JournalWriter? journal = null)
    {
        this.journal = journal;
        this.db = db;
        this.options = options;
        this.mapper = mapper;
        this.catalogs = catalogs;
        this.time = time;
        this.signal = signal;
        zones = new TicketZones(options);
        this.vemOrigins = vemOrigins;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        writer = new Thread(WriterLoop) { IsBackground = true, Name = "ticket-writer" };
        writer.Start();
        checkpointer = Task.Run(CheckpointLoopAsync);
    }

    private sealed record PendingCommit(PointOfSaleId PointOfSale, string RequestId, TicketSale Sale, VemTicket Mapped, IReferenceCatalog Catalog, TimeZoneInfo Zone, VemLastTicket? Origin, TaskCompletionSource<TicketReceipt> Completion);

    public async Task<TicketReceipt> CommitAsync(PointOfSaleId pointOfSale, string requestId, TicketSale sale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sale);
        if (string.IsNullOrWhiteSpace(requestId))
        {
            throw new MiddlewareException(ErrorCode.RequestIdRequired, "A ticket commit needs the till's requestId.");
        }

        if (sale.Lines is null || sale.Payment is null)
        {
            throw new MiddlewareException(ErrorCode.TicketInvalid, "A sale needs lines and a payment.");
        }

        PendingCommit pending;
        try
        {
            pending = await PrepareAsync(pointOfSale, requestId, sale, cancellationToken).ConfigureAwait(false);
        }
        catch (MiddlewareException)
        {
            // Already committed by an earlier call (its mapping may since have changed or broken): the till's retry
            // gets the ticket it was given, not a new refusal.
            if (await FindCommittedAsync(pointOfSale, requestId, cancellationToken).ConfigureAwait(false) is { } committed)
            {
                return committed;
            }

            throw;
        }

        lock (gate)
        {
            if (closed)
            {
                throw new MiddlewareException(ErrorCode.InternalError, "The ticket store is shutting down.");
            }

            queue.Enqueue(pending);
        }

        if (commitLock.TryEnter())
        {
            // No commit running: write this one (and any queued with it) here, one batch only: under load the caller
            // must not go on writing the commits of other tills before it answers its own.
            try
            {
                DrainAndCommit(new List<PendingCommit>(options.MaxCommitGroup), oneBatch: true);
            }
            finally
            {
                commitLock.Exit();
            }

            if (!queue.IsEmpty)
            {
                queued.Release(); // arrived while this thread wrote: the writer takes them
            }
        }
        else
        {
            queued.Release();
        }

        // Once queued the commit happens whatever the caller does: a till that gave up retries with the same requestId.
        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Maps the sale for its own point of sale, outside any lock. The numbers the mapper sees are provisional
    /// (0 and ""): the ticket's <c>idTicketEntete</c>, <c>numeroTicket</c> and <c>date</c> are set at commit.</summary>
    private async Task<PendingCommit> PrepareAsync(PointOfSaleId pos, string requestId, TicketSale sale, CancellationToken cancellationToken)
    {
        TimeZoneInfo zone;
        try
        {
            zone = zones.For(pos);
        }
        catch (InvalidOperationException ex)
        {
            throw new MiddlewareException(ErrorCode.UnknownPointOfSale, ex.Message);
        }

        var catalog = catalogs.For(pos);
        var date = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone);
        // VEM's caisse names the software (idLogiciel); the option only stands in when VEM does not tell it.
        var identity = new TicketIdentity(0, "", date, options.VersionLogiciel, catalog.IdLogiciel ?? options.IdLogiciel);
        var mapped = sale.Refund is { } refund ? RefundTicketMapper.Map(refund, identity) : Map(pos, sale, identity, catalog);
        var origin = numbered.ContainsKey(pos) ? null : await OriginIfUnnumberedAsync(pos, cancellationToken).ConfigureAwait(false);
        return new PendingCommit(pos, requestId, sale, mapped, catalog, zone, origin, new TaskCompletionSource<TicketReceipt>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>For a point of sale this store has never numbered, what VEM says it holds (asked once, outside the
    /// commit lock: a network call must never hold other tills' commits). Null when the store already numbers it.</summary>
    private async Task<VemLastTicket?> OriginIfUnnumberedAsync(PointOfSaleId pos, CancellationToken cancellationToken)
    {
        var hasRow = await Task.Run(() =>
        {
            using var c = db.Open(durable: false);
            using var tx = c.BeginTransaction(deferred: true);
            return LoadState(c, tx, pos) is not null;
        }, cancellationToken).ConfigureAwait(false);
        if (hasRow)
        {
            numbered[pos] = true;
            return null;
        }

        if (vemOrigins is null)
        {
            return VemLastTicket.Unsupported;
        }

        try
        {
            return await vemOrigins.GetLastTicketAsync(pos, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not MiddlewareException)
        {
            // Transient: the sale stays paid and its ticket is committed at a later attempt.
            throw new MiddlewareException(ErrorCode.UpstreamUnavailable,
                $"Point of sale {pos} has no ticket numbers in this host yet and VEM could not be asked for its last ticket: {ex.Message}", inner: ex);
        }
    }

    private Task<TicketReceipt?> FindCommittedAsync(PointOfSaleId pos, string requestId, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var c = db.Open(durable: false);
        using var tx = c.BeginTransaction(deferred: true);
        return FindReceipt(c, tx, pos, requestId);
    }, cancellationToken);

    /// <summary>Writes queued commits, one batch of at most MaxCommitGroup at a time, until the queue is empty (or after
    /// one batch). The caller holds <see cref="commitLock"/>.</summary>
    private void DrainAndCommit(List<PendingCommit> batch, bool oneBatch = false)
    {
        for (var batches = 0; !oneBatch || batches == 0; batches++)
        {
            batch.Clear();
            while (batch.Count < Math.Max(1, options.MaxCommitGroup) && queue.TryDequeue(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                return;
            }

            CommitBatch(batch);
        }
    }

    private void WriterLoop()
    {
        var batch = new List<PendingCommit>(options.MaxCommitGroup);
        try
        {
            while (true)
            {
                // Blocks this thread only: a commit's Release wakes it directly. A wake-up finds the queue emptied by a
                // caller that wrote its own commit meanwhile: nothing to do.
                queued.Wait();
                lock (commitLock)
                {
                    DrainAndCommit(batch);
                }

                if (closed && queue.IsEmpty)
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            // Never expected (CommitBatch answers every failure to its tills); log it rather than lose the thread silently.
            logger.LogCritical(ex, "The ticket writer stopped");
        }
        finally
        {
            while (queue.TryDequeue(out var left))
            {
                left.Completion.TrySetException(new MiddlewareException(ErrorCode.InternalError, "The ticket store is shutting down; retry with the same requestId."));
            }

            writerDone.TrySetResult();
        }
    }

    /// <summary>Copies the WAL into the database file off the commit path (PASSIVE: never blocks the writer).</summary>
    private async Task CheckpointLoopAsync()
    {
        while (!closed)
        {
            await checkpointDue.WaitAsync().ConfigureAwait(false);
            Checkpoint();
        }
    }

    private void Checkpoint()
    {
        try
        {
            using var c = db.Open(durable: true);
            TicketDatabase.Execute(c, "PRAGMA wal_checkpoint(PASSIVE);");
        }
        catch (SqliteException ex)
        {
            // A skipped checkpoint only lets the WAL grow until the next one; commits are unaffected.
            logger.LogWarning(ex, "Ticket database checkpoint failed; retried after the next tickets");
        }
    }

    private void NoteCommitted(int tickets)
    {
        sinceCheckpoint += tickets;
        if (sinceCheckpoint >= CheckpointEveryTickets)
        {
            sinceCheckpoint = 0;
            if (checkpointDue.CurrentCount == 0)
            {
                try
                {
                    checkpointDue.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Already due: one checkpoint covers both.
                }
            }
        }
    }

    private void CommitBatch(List<PendingCommit> batch)
    {
        var accepted = new List<(PendingCommit Item, TicketReceipt Receipt)>(batch.Count);
        var repeats = new List<(PendingCommit Item, PendingCommit First)>();
        var firstByRequest = new Dictionary<(PointOfSaleId, string), PendingCommit>();
        var states = new Dictionary<PointOfSaleId, NumberingState>();
        var committedAny = false;
        JournalHead? journaled = null;
        try
        {
            // The writer's kept FULL connection, its statements prepared on earlier batches.
            var session = writerSession ??= db.Sessions.Rent(durable: true);
            var connection = session.Connection;
            using var tx = connection.BeginTransaction(deferred: false);
            foreach (var item in batch)
            {
                if (firstByRequest.TryGetValue((item.PointOfSale, item.RequestId), out var first))
                {
                    repeats.Add((item, first));
                    continue;
                }

                var existing = FindReceipt(session.Statement(FindReceiptSql, DeclareFindReceipt), tx, item.PointOfSale, item.RequestId);
                if (existing is not null)
                {
                    item.Completion.TrySetResult(existing);
                    continue;
                }

                var (receipt, head) = TryCommitOne(session, tx, item, states);
                journaled = head ?? journaled;
                if (receipt is not null)
                {
                    firstByRequest[(item.PointOfSale, item.RequestId)] = item;
                    accepted.Add((item, receipt));
                }
            }

            foreach (var (pos, state) in states)
            {
                var cmd = session.Statement(SaveStateSql, static p =>
                {
                    p.Add(new SqliteParameter { ParameterName = "$p" });
                    p.Add(new SqliteParameter { ParameterName = "$id" });
                    p.Add(new SqliteParameter { ParameterName = "$d" });
                    p.Add(new SqliteParameter { ParameterName = "$s" });
                });
                cmd.Transaction = tx;
                cmd.Parameters[0].Value = pos.ToString();
                cmd.Parameters[1].Value = state.LastId;
                cmd.Parameters[2].Value = state.Day;
                cmd.Parameters[3].Value = state.DaySequence;
                cmd.ExecuteNonQuery();
            }

            if (accepted.Count > 0)
            {
                tx.Commit();
                committedAny = true;
                journal?.Committed(journaled);
                NoteCommitted(accepted.Count);
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Ticket commit of {Count} tickets failed; nothing was stored", batch.Count);
            numbering.Clear(); // reload from disk: the in-memory state may be ahead of a rolled-back transaction
            // Not completed: the connection is closed, and the next batch opens a fresh one.
            writerSession?.Dispose();
            writerSession = null;
            var error = new MiddlewareException(ErrorCode.InternalError, "The ticket could not be stored; retry with the same requestId.", inner: ex);
            foreach (var item in batch)
            {
                item.Completion.TrySetException(error);
            }

            return;
        }

        foreach (var (pos, state) in states)
        {
            numbering[pos] = state;
            numbered[pos] = true;
        }

        foreach (var (item, receipt) in accepted)
        {
            item.Completion.TrySetResult(receipt);
        }

        foreach (var (item, first) in repeats)
        {
            var firstReceipt = accepted.FirstOrDefault(a => ReferenceEquals(a.Item, first)).Receipt;
            item.Completion.TrySetResult(firstReceipt is null ? throw new InvalidOperationException("Lost first commit.") : firstReceipt with { AlreadyCommitted = true });
        }

        if (committedAny)
        {
            signal.Notify();
        }
    }

    /// <summary>Numbers, validates and inserts one mapped ticket, and journals it in the same transaction; a null receipt
    /// (and the caller's task faulted) when refused.</summary>
    private (TicketReceipt? Receipt, JournalHead? Journaled) TryCommitOne(SqliteSession session, SqliteTransaction tx, PendingCommit item, Dictionary<PointOfSaleId, NumberingState> states)
    {
        var c = session.Connection;
        var pos = item.PointOfSale;
        if (!states.TryGetValue(pos, out var state) && !numbering.TryGetValue(pos, out state))
        {
            var stored = LoadState(session.Statement(LoadStateSql, static p => p.Add(new SqliteParameter { ParameterName = "$p" })), tx, pos);
            if (stored is null)
            {
                // No numbering row for this point of sale: a new till, or a lost store. Resume above what VEM or the
                // configuration says it already holds, or refuse until told (never silently restart at 1).
                var origin = NumberingOrigins.Resolve(pos, options, item.Origin ?? VemLastTicket.Unsupported);
                if (origin.Error is { } refusal)
                {
                    logger.LogError("Ticket numbering of {PointOfSale} refused: {Reason}", pos, refusal);
                    item.Completion.TrySetException(new MiddlewareException(ErrorCode.NumberingOriginUnknown, refusal));
                    return (null, null);
                }

                if (origin.State.LastId > 0)
                {
                    logger.LogWarning("Ticket numbering of {PointOfSale} starts above {LastId} ({Source}): the local store had no numbers for it",
                        pos, origin.State.LastId, origin.Source);
                }

                stored = origin.State;
            }

            state = stored.Value;
        }

        var now = time.GetUtcNow();
        var (next, id, numero) = TicketNumbering.Next(state, TicketNumbering.LocalDay(now, item.Zone));
        // The ticket's date is its commit time, like its number: VEM reads the number's YYMMDD from the date.
        var date = TimeZoneInfo.ConvertTime(now, item.Zone);
        var ticket = item.Mapped with
        {
            IdTicketEntete = id.ToString(CultureInfo.InvariantCulture),
            NumeroTicket = numero,
            Date = date,
        };
        if (!Validate(pos, ticket, item.Catalog, item.Completion))
        {
            return (null, null);
        }

        var body = JsonSerializer.Serialize(ticket, Json);
        var insert = session.Statement(InsertTicketSql, static p =>
        {
            foreach (var name in (ReadOnlySpan<string>)["$p", "$id", "$n", "$r", "$at", "$o", "$b", "$s"])
            {
                p.Add(new SqliteParameter { ParameterName = name });
            }
        });
        insert.Transaction = tx;
        var values = insert.Parameters;
        values[0].Value = pos.ToString();
        values[1].Value = id;
        values[2].Value = numero;
        values[3].Value = item.RequestId;
        values[4].Value = now.ToString("O", CultureInfo.InvariantCulture);
        values[5].Value = item.Sale.OnlineOrder ? 1 : 0;
        values[6].Value = body;
        values[7].Value = JsonSerializer.Serialize(item.Sale, Json);
        insert.ExecuteNonQuery();

        var journaled = journal?.Append(session, tx, JournalKinds.Ticket, pos.ToString(), ticket.IdTicketEntete, body, now);

        if (WhizQueue.IsForWhiz(item.Sale))
        {
            WhizQueue.Enqueue(c, tx, pos, id, WhizQueue.OrderFor(item.Sale, numero, date));
        }

        states[pos] = next;
        return (new TicketReceipt(pos.ToString(), ticket.IdTicketEntete, numero, date, false), journaled);
    }

    /// <summary>Maps with the configured mapper for <paramref name="pos"/>; throws the till's error when it fails.</summary>
    private VemTicket Map(PointOfSaleId pos, TicketSale sale, TicketIdentity identity, IReferenceCatalog catalog)
    {
        try
        {
            // The mapper may shape lines and complement, never the numbering.
            return mapper.Map(new TicketMappingContext(pos, sale, identity, catalog));
        }
        catch (MiddlewareException)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Ticket mapper failed for point of sale {PointOfSale}", pos);
            throw new MiddlewareException(ErrorCode.ScriptFaulted, "The ticket mapping failed: " + ex.Message, inner: ex);
        }
    }

    /// <summary>Validates against the point of sale's own catalogue; false with the completion faulted when refused
    /// (throws instead when there is no completion).</summary>
    private bool Validate(PointOfSaleId pos, VemTicket ticket, IReferenceCatalog catalog, TaskCompletionSource<TicketReceipt>? completion)
    {
        var result = VemTicketValidator.Validate(ticket, catalog);
        if (result.IsValid)
        {
            return true;
        }

        logger.LogInformation("Ticket refused for point of sale {PointOfSale}: {Violations}", pos, result.Describe());
        Fail(completion, new MiddlewareException(ErrorCode.TicketInvalid, $"Incoherent ticket (mapped by {MappedBy(pos)}): " + result.Describe(), result.Violations));
        return false;
    }

    private string MappedBy(PointOfSaleId pos)
    {
        try
        {
            return mapper.MappedBy(pos);
        }
        catch (Exception ex)
        {
            // Naming the mapper is a courtesy in an error message: it must never hide the real refusal.
            logger.LogDebug(ex, "Ticket mapper could not name itself");
            return "the configured mapper";
        }
    }

    private static void Fail(TaskCompletionSource<TicketReceipt>? completion, MiddlewareException ex)
    {
        if (completion is null)
        {
            throw ex;
        }

        completion.TrySetException(ex);
    }

    /// <summary>The stored numbering of <paramref name="pos"/>, or null when this store never numbered its tickets.</summary>
    private static NumberingState? LoadState(SqliteConnection c, SqliteTransaction tx, PointOfSaleId pos)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = LoadStateSql;
        cmd.Parameters.Add(new SqliteParameter { ParameterName = "$p" });
        return LoadState(cmd, tx, pos);
    }

    // cmd: LoadStateSql with its one parameter declared (a writer's prepared statement, or a one-off).
    private static NumberingState? LoadState(SqliteCommand cmd, SqliteTransaction tx, PointOfSaleId pos)
    {
        cmd.Transaction = tx;
        cmd.Parameters[0].Value = pos.ToString();
        using var r = cmd.ExecuteReader();
        return r.Read() ? new NumberingState(r.GetInt64(0), r.GetString(1), r.GetInt32(2)) : null;
    }

    private static void DeclareFindReceipt(SqliteParameterCollection p)
    {
        p.Add(new SqliteParameter { ParameterName = "$p" });
        p.Add(new SqliteParameter { ParameterName = "$r" });
    }

    private static TicketReceipt? FindReceipt(SqliteConnection c, SqliteTransaction tx, PointOfSaleId pos, string requestId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = FindReceiptSql;
        DeclareFindReceipt(cmd.Parameters);
        return FindReceipt(cmd, tx, pos, requestId);
    }

    // cmd: FindReceiptSql with its parameters declared (a writer's prepared statement, or a one-off).
    private static TicketReceipt? FindReceipt(SqliteCommand cmd, SqliteTransaction tx, PointOfSaleId pos, string requestId)
    {
        cmd.Transaction = tx;
        cmd.Parameters[0].Value = pos.ToString();
        cmd.Parameters[1].Value = requestId;
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        var ticket = JsonSerializer.Deserialize<VemTicket>(r.GetString(2), Json)!;
        return new TicketReceipt(pos.ToString(), r.GetInt64(0).ToString(CultureInfo.InvariantCulture), r.GetString(1), ticket.Date, true);
    }

    public Task<TicketRecord?> GetAsync(PointOfSaleId pointOfSale, long idTicketEntete, CancellationToken cancellationToken) =>
        Task.Run(() => QueryOne("pos = $p AND id = $k", pointOfSale, idTicketEntete), cancellationToken);

    public Task<TicketRecord?> GetByRequestIdAsync(PointOfSaleId pointOfSale, string requestId, CancellationToken cancellationToken) =>
        Task.Run(() => QueryOne("pos = $p AND request_id = $k", pointOfSale, requestId), cancellationToken);

    public Task<TicketDetail?> GetDetailAsync(PointOfSaleId pointOfSale, long idTicketEntete, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var c = db.Open(durable: false);
        // One read transaction: the record and its history are one snapshot even while the sender writes.
        using var tx = c.BeginTransaction(deferred: true);
        TicketRecord record;
        TicketSale sale;
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT {RecordColumns}, body, sale FROM tickets WHERE pos = $p AND id = $id";
            cmd.Parameters.AddWithValue("$p", pointOfSale.ToString());
            cmd.Parameters.AddWithValue("$id", idTicketEntete);
            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }

            record = ReadRecord(r, withBody: true);
            sale = JsonSerializer.Deserialize<TicketSale>(r.GetString(13), Json)!;
        }

        var history = new List<TicketEvent> { new(record.CommittedAt, "Committed", null, null) };
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT at, kind, code, message FROM ticket_events WHERE pos = $p AND id = $id ORDER BY seq";
            cmd.Parameters.AddWithValue("$p", pointOfSale.ToString());
            cmd.Parameters.AddWithValue("$id", idTicketEntete);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                history.Add(new TicketEvent(DateTimeOffset.Parse(r.GetString(0), CultureInfo.InvariantCulture), r.GetString(1),
                    r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)));
            }
        }

        return (TicketDetail?)new TicketDetail(record, sale, history);
    }, cancellationToken);

    private TicketRecord? QueryOne(string where, PointOfSaleId pos, object key)
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {RecordColumns}, body FROM tickets WHERE {where}";
        cmd.Parameters.AddWithValue("$p", pos.ToString());
        cmd.Parameters.AddWithValue("$k", key);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadRecord(r, withBody: true) : null;
    }

    internal const string RecordColumns = "pos, id, numero, request_id, state, committed_at, attempts, error_code, last_error, sent_at, replays, online";

    internal static TicketRecord ReadRecord(SqliteDataReader r, bool withBody) => new()
    {
        PointOfSale = r.GetString(0),
        IdTicketEntete = r.GetInt64(1).ToString(CultureInfo.InvariantCulture),
        NumeroTicket = r.GetString(2),
        RequestId = r.GetString(3),
        State = (TicketState)r.GetInt32(4),
        CommittedAt = DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture),
        Attempts = r.GetInt32(6),
        ErrorCode = r.IsDBNull(7) ? null : r.GetString(7),
        LastError = r.IsDBNull(8) ? null : r.GetString(8),
        SentAt = r.IsDBNull(9) ? null : DateTimeOffset.Parse(r.GetString(9), CultureInfo.InvariantCulture),
        Replays = r.GetInt32(10),
        OnlineOrder = r.GetInt32(11) != 0,
        Ticket = withBody ? JsonSerializer.Deserialize<VemTicket>(r.GetString(12), Json) : null,
    };

    public Task<OutboxStatus> GetOutboxStatusAsync(PointOfSaleId? pointOfSale, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT pos,
                   SUM(state = 0), SUM(state = 1), SUM(state = 2),
                   MIN(CASE WHEN state = 0 THEN committed_at END),
                   (SELECT last_error FROM tickets t2 WHERE t2.pos = t.pos AND t2.state <> 1 AND t2.last_error IS NOT NULL ORDER BY id LIMIT 1)
            FROM tickets t WHERE ($p IS NULL OR pos = $p) GROUP BY pos ORDER BY pos
            """;
        cmd.Parameters.AddWithValue("$p", (object?)pointOfSale?.ToString() ?? DBNull.Value);
        var now = time.GetUtcNow();
        var list = new List<PointOfSaleOutboxStatus>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            DateTimeOffset? oldest = r.IsDBNull(4) ? null : DateTimeOffset.Parse(r.GetString(4), CultureInfo.InvariantCulture);
            list.Add(new PointOfSaleOutboxStatus(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), oldest,
                oldest is { } o ? Math.Max(0, (now - o).TotalSeconds) : null, r.IsDBNull(5) ? null : r.GetString(5)));
        }

        return new OutboxStatus(list.Sum(p => p.Pending), list.Sum(p => p.Sent), list.Sum(p => p.Dead),
            list.Max(p => p.OldestPendingAgeSeconds), list);
    }, cancellationToken);

    public Task<IReadOnlyList<TicketRecord>> ListAsync(PointOfSaleId? pointOfSale, TicketState? state, int limit, CancellationToken cancellationToken) => Task.Run<IReadOnlyList<TicketRecord>>(() =>
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        // With a state, the (state, pos, id) index gives the rows already in order; without it SQLite would walk every
        // ticket ever committed (overflow pages included) to find, say, the few pending ones.
        cmd.CommandText = state is null
            ? $"SELECT {RecordColumns} FROM tickets WHERE ($p IS NULL OR pos = $p) ORDER BY pos, id LIMIT $l"
            : $"SELECT {RecordColumns} FROM tickets INDEXED BY ix_tickets_state WHERE state = $s AND ($p IS NULL OR pos = $p) ORDER BY pos, id LIMIT $l";
        cmd.Parameters.AddWithValue("$p", (object?)pointOfSale?.ToString() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$s", state is { } s ? (int)s : DBNull.Value);
        cmd.Parameters.AddWithValue("$l", Math.Clamp(limit, 1, 10_000));
        var list = new List<TicketRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(ReadRecord(r, withBody: false));
        }

        return list;
    }, cancellationToken);

    public async Task<TicketRecord> ReplayAsync(PointOfSaleId pointOfSale, long idTicketEntete, bool remap, CancellationToken cancellationToken)
    {
        var record = await GetAsync(pointOfSale, idTicketEntete, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.TicketNotFound, $"No ticket {idTicketEntete} at point of sale {pointOfSale}.");
        if (record.State == TicketState.Sent)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, $"Ticket {idTicketEntete} of {pointOfSale} is already in VEM; nothing to replay.");
        }

        string? body = null;
        if (remap)
        {
            body = await Task.Run(() => Remap(pointOfSale, record), cancellationToken).ConfigureAwait(false);
        }

        var journaled = await Task.Run(() =>
        {
            JournalHead? head = null;
            using var c = db.Open(durable: true);
            using var tx = c.BeginTransaction(deferred: false);
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE tickets SET state = 0, attempts = 0, replays = replays + 1, body = COALESCE($b, body) WHERE pos = $p AND id = $id AND state <> 1";
            cmd.Parameters.AddWithValue("$p", pointOfSale.ToString());
            cmd.Parameters.AddWithValue("$id", idTicketEntete);
            cmd.Parameters.AddWithValue("$b", (object?)body ?? DBNull.Value);
            if (cmd.ExecuteNonQuery() > 0)
            {
                var now = time.GetUtcNow();
                TicketEventKinds.Add(c, tx, pointOfSale.ToString(), idTicketEntete, now.ToString("O", CultureInfo.InvariantCulture),
                    remap ? TicketEventKinds.Remapped : TicketEventKinds.Replayed, record.ErrorCode, record.LastError);
                if (body is not null)
                {
                    // The first body stays in its own entry: the journal shows what was first sent and what replaced it.
                    head = journal?.Append(c, tx, JournalKinds.TicketRemapped, pointOfSale.ToString(), idTicketEntete.ToString(CultureInfo.InvariantCulture), body, now);
                }
            }

            tx.Commit();
            return head;
        }, cancellationToken).ConfigureAwait(false);
        journal?.Committed(journaled);
        logger.LogInformation("Ticket {IdTicketEntete} of {PointOfSale} replayed (remap: {Remap})", idTicketEntete, pointOfSale, remap);
        signal.Notify();
        return (await GetAsync(pointOfSale, idTicketEntete, cancellationToken).ConfigureAwait(false))!;
    }

    private string Remap(PointOfSaleId pos, TicketRecord record)
    {
        string saleJson;
        using (var c = db.Open(durable: false))
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT sale FROM tickets WHERE pos = $p AND id = $id";
            cmd.Parameters.AddWithValue("$p", pos.ToString());
            cmd.Parameters.AddWithValue("$id", long.Parse(record.IdTicketEntete, CultureInfo.InvariantCulture));
            saleJson = (string)cmd.ExecuteScalar()!;
        }

        var sale = JsonSerializer.Deserialize<TicketSale>(saleJson, Json)!;
        var old = record.Ticket!;
        var catalog = catalogs.For(pos);
        var identity = new TicketIdentity(long.Parse(record.IdTicketEntete, CultureInfo.InvariantCulture), record.NumeroTicket, old.Date, options.VersionLogiciel, catalog.IdLogiciel ?? options.IdLogiciel);
        var ticket = (sale.Refund is { } refund ? RefundTicketMapper.Map(refund, identity) : Map(pos, sale, identity, catalog)) with
        {
            IdTicketEntete = record.IdTicketEntete,
            NumeroTicket = record.NumeroTicket,
            Date = old.Date,
        };
        Validate(pos, ticket, catalog, completion: null);
        return JsonSerializer.Serialize(ticket, Json);
    }

    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            closed = true;
        }

        queued.Release();
        try
        {
            await writerDone.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogError("The ticket writer did not stop within 10 s");
        }

        if (checkpointDue.CurrentCount == 0)
        {
            checkpointDue.Release();
        }

        await checkpointer.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (writerDone.Task.IsCompleted)
        {
            lock (commitLock)
            {
                // Closed, not pooled: nothing is left open on the file once the service is gone.
                writerSession?.Dispose();
                writerSession = null;
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
