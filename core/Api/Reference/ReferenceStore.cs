using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Middleware.Api.Izly;
using Middleware.Api.Vem;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Reference;

/// <summary>How fresh a point of sale's reference data is (what <c>reference.status</c> answers).</summary>
/// <param name="PointOfSale"><c>idCrous-idUg-idRu-idUd-idCaisse</c>.</param>
/// <param name="HasData">True when a successful sync has ever stored data (it is then served, even when old).</param>
/// <param name="LastSuccessUtc">End of the last successful sync.</param>
/// <param name="LastAttemptUtc">Last sync attempt, successful or not.</param>
/// <param name="LastError">Why the last attempt failed; null when it succeeded.</param>
/// <param name="AgeSeconds">Seconds since <paramref name="LastSuccessUtc"/>; null without data.</param>
/// <param name="IsStale">True when older than <see cref="ReferenceOptions.StaleAfter"/> or never synced.</param>
/// <param name="ConsecutiveFailures">Failed attempts since the last success.</param>
/// <param name="LastDurationMs">Duration of the last successful sync.</param>
/// <param name="Counts">Rows per resource in the served data.</param>
public sealed record ReferenceStatus(
    string PointOfSale,
    bool HasData,
    DateTimeOffset? LastSuccessUtc,
    DateTimeOffset? LastAttemptUtc,
    string? LastError,
    double? AgeSeconds,
    bool IsStale,
    int ConsecutiveFailures,
    long LastDurationMs,
    IReadOnlyDictionary<string, int> Counts);

/// <summary>The outcome of one sync attempt.</summary>
/// <param name="Succeeded">True when the new data replaced the old.</param>
/// <param name="Error">Why it failed (the previous data is kept whole).</param>
/// <param name="Status">The status after the attempt.</param>
public sealed record ReferenceSyncResult(bool Succeeded, string? Error, ReferenceStatus Status);

/// <summary>
/// The local reference-data store: VEM's §3 resources per point of sale, in SQLite, served from an in-memory
/// snapshot. One store per point of sale (rows keyed by <see cref="PointOfSaleId"/>): VEM's resource paths and the
/// <c>caisse</c> record are per till, so even two tills of one restaurant are synced and aged separately.
/// </summary>
public interface IReferenceStore
{
    /// <summary>The points of sale this host serves (configuration <c>PointsOfSale</c>).</summary>
    IReadOnlyList<PointOfSaleId> PointsOfSale { get; }

    /// <summary>Fetches every resource, then replaces the stored data atomically. Never throws for a VEM failure
    /// (see <see cref="ReferenceSyncResult.Error"/>); one sync per point of sale at a time.</summary>
    Task<ReferenceSyncResult> SyncAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary>The freshness of a point of sale's data.</summary>
    ReferenceStatus GetStatus(PointOfSaleId pointOfSale);

    /// <summary>The data of the last successful sync (also after a restart), or null when there never was one.</summary>
    ReferenceSnapshot? GetSnapshot(PointOfSaleId pointOfSale);

    /// <summary>Like <see cref="GetSnapshot"/>, or <see cref="MiddlewareException"/> <c>ReferenceDataUnavailable</c>.</summary>
    ReferenceSnapshot GetRequiredSnapshot(PointOfSaleId pointOfSale);

    /// <summary>Raised after each sync attempt (hosted service, tests).</summary>
    event EventHandler<ReferenceSyncResult>? Synced;
}

internal sealed class ReferenceStore : IReferenceStore
{
    private readonly IVemClient vem;
    private readonly IzlyKeyStore izlyKeys;
    private readonly ReferenceOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ReferenceDatabase database;
    private readonly Func<PointOfSaleId, TimeZoneInfo> timeZoneOf;
    private readonly ConcurrentDictionary<PointOfSaleId, ReferenceSnapshot?> snapshots = new();
    private readonly ConcurrentDictionary<PointOfSaleId, SemaphoreSlim> syncLocks = new();
    private readonly Lock loadLock = new();

    public ReferenceStore(
        IVemClient vem,
        IzlyKeyStore izlyKeys,
        ReferenceOptions options,
        IReadOnlyList<PointOfSaleOptions> pointsOfSale,
        TimeProvider time,
        ILogger<ReferenceStore> logger)
    {
        this.vem = vem;
        this.izlyKeys = izlyKeys;
        this.options = options;
        this.time = time;
        this.logger = logger;
        database = new ReferenceDatabase(options.DatabasePath, logger, time);
        PointsOfSale = [.. pointsOfSale.Select(p => p.ParsedId)];
        var zones = pointsOfSale.ToDictionary(p => p.ParsedId, p => p.TimeZone);
        timeZoneOf = pos => FindZone(zones.TryGetValue(pos, out var id) ? id : "Europe/Paris");
    }

    public IReadOnlyList<PointOfSaleId> PointsOfSale { get; }

    public event EventHandler<ReferenceSyncResult>? Synced;

    /// <summary>Test hook: called inside the write transaction (to crash it half-way).</summary>
    internal Action<string>? BeforeCommit { get; set; }

    internal string DatabasePath => database.Path_;

    public async Task<ReferenceSyncResult> SyncAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken)
    {
        var gate = syncLocks.GetOrAdd(pointOfSale, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        ReferenceSyncResult result;
        try
        {
            result = await SyncCoreAsync(pointOfSale, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        try
        {
            Synced?.Invoke(this, result);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "A reference sync listener failed");
        }

        return result;
    }

    private async Task<ReferenceSyncResult> SyncCoreAsync(PointOfSaleId pos, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ReferenceData data;
        HashSet<int> kiosk;
        try
        {
            (data, kiosk) = await FetchAllAsync(pos, cancellationToken).ConfigureAwait(false);
            _ = new ReferenceSnapshot(pos, time.GetUtcNow(), data, timeZoneOf(pos), kiosk); // validates (e.g. period dates) before anything is replaced
        }
        catch (Exception ex) when (ex is VemApiException or FormatException or ArgumentException)
        {
            return Fail(pos, ex is VemApiException v ? $"{v.Failure}: {v.Message}" : $"Invalid data: {ex.Message}");
        }

        var syncedAt = time.GetUtcNow();
        var durationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            database.Replace(pos, data, kiosk, syncedAt, durationMs, BeforeCommit);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Reference data of {PointOfSale} fetched but not stored; the previous data stays", pos);
            return Fail(pos, "Store write failed: " + ex.Message);
        }

        izlyKeys.Set(pos, data.Caisse.CleIzly); // memory only
        var snapshot = new ReferenceSnapshot(pos, syncedAt, data with { Caisse = WithoutKey(data.Caisse) }, timeZoneOf(pos), kiosk);
        snapshots[pos] = snapshot;
        logger.LogInformation("Reference data of {PointOfSale} synced in {DurationMs} ms: {Articles} articles, {Prices} prices, {Periods} periods",
            pos, durationMs, data.Articles.Count, data.Prix.Count, data.Periodes.Count);
        return new ReferenceSyncResult(true, null, GetStatus(pos));
    }

    private ReferenceSyncResult Fail(PointOfSaleId pos, string error)
    {
        try
        {
            database.RecordFailure(pos, time.GetUtcNow(), error);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not record the failed reference sync of {PointOfSale}", pos);
        }

        logger.LogWarning("Reference sync of {PointOfSale} failed, the cache keeps serving: {Error}", pos, error);
        return new ReferenceSyncResult(false, error, GetStatus(pos));
    }

    /// <summary>Every resource first, in parallel; nothing is written unless all of them arrived.</summary>
    private async Task<(ReferenceData, HashSet<int>)> FetchAllAsync(PointOfSaleId pos, CancellationToken ct)
    {
        var kioskToo = options.IncludeKioskArticles;
        var caisse = vem.GetCaisseAsync(pos, ct);
        var tva = vem.GetTvaAsync(pos, ct);
        var articles = vem.GetArticlesAsync(pos, false, ct);
        var kioskArticles = kioskToo ? vem.GetArticlesAsync(pos, true, ct) : Task.FromResult<IReadOnlyList<VemArticle>>([]);
        var societes = vem.GetSocietesAsync(pos, ct);
        var societesTarifs = vem.GetSocietesTarifsAsync(pos, ct);
        var periodes = vem.GetPeriodesAsync(pos, ct);
        var stp = vem.GetSocietesTarifsPeriodeAsync(pos, ct);
        var prix = vem.GetArticlesSocietesTarifsPeriodesAsync(pos, periodesFutures: true, versBornesPrepaiement: false, ct);
        var kioskPrix = kioskToo ? vem.GetArticlesSocietesTarifsPeriodesAsync(pos, periodesFutures: true, versBornesPrepaiement: true, ct) : Task.FromResult<IReadOnlyList<VemArticlePrix>>([]);
        var types = vem.GetDroitsEntreeTypesAsync(pos, ct);
        var droits = vem.GetDroitsEntreeAsync(pos, ct);
        var subventions = vem.GetSubventionsAsync(pos, ct);
        Task[] all = [caisse, tva, articles, kioskArticles, societes, societesTarifs, periodes, stp, prix, kioskPrix, types, droits, subventions];
        try
        {
            await Task.WhenAll(all).ConfigureAwait(false);
        }
        catch
        {
            // Surface the first VEM failure (WhenAll rethrows only one, possibly a cancellation).
            var failure = all.Where(t => t.IsFaulted).Select(t => t.Exception!.GetBaseException()).FirstOrDefault();
            if (failure is not null)
            {
                throw failure is VemApiException ? failure : new VemApiException(VemFailure.Unavailable, failure.Message, null, null, failure);
            }

            throw;
        }

        // Kiosk variants: the same rows marked for kiosks; union by key, the non-kiosk answer first.
        var allArticles = articles.Result.Concat(kioskArticles.Result.Where(k => articles.Result.All(a => a.CodeArticle != k.CodeArticle))).ToList();
        var kiosk = kioskArticles.Result.Select(a => a.CodeArticle).ToHashSet();
        var prices = prix.Result
            .Concat(kioskPrix.Result)
            .GroupBy(p => (p.CodeArticle, p.CodeSociete, p.CodeTarif, p.IdPeriode))
            .Select(g => g.First())
            .ToList();
        var data = new ReferenceData(caisse.Result, tva.Result, allArticles, societes.Result, societesTarifs.Result, periodes.Result, stp.Result,
            prices, types.Result, droits.Result, subventions.Result);
        return (data, kiosk);
    }

    public ReferenceStatus GetStatus(PointOfSaleId pointOfSale)
    {
        var state = database.ReadState(pointOfSale);
        var snapshot = GetSnapshot(pointOfSale);
        var now = time.GetUtcNow();
        double? age = state?.LastSuccessUtc is { } s ? Math.Max(0, (now - s).TotalSeconds) : null;
        return new ReferenceStatus(
            pointOfSale.ToString(),
            snapshot is not null,
            state?.LastSuccessUtc,
            state?.LastAttemptUtc,
            state?.LastError,
            age,
            age is null || age.Value > options.StaleAfter.TotalSeconds,
            state?.ConsecutiveFailures ?? 0,
            state?.LastDurationMs ?? 0,
            snapshot?.Counts ?? new Dictionary<string, int>());
    }

    public ReferenceSnapshot? GetSnapshot(PointOfSaleId pointOfSale)
    {
        if (snapshots.TryGetValue(pointOfSale, out var cached))
        {
            return cached;
        }

        lock (loadLock)
        {
            if (snapshots.TryGetValue(pointOfSale, out cached))
            {
                return cached;
            }

            // After a restart: serve what the last successful sync stored.
            ReferenceSnapshot? loaded = null;
            try
            {
                var stored = database.Load(pointOfSale);
                var state = database.ReadState(pointOfSale);
                if (stored is { } s && state?.LastSuccessUtc is { } at)
                {
                    loaded = new ReferenceSnapshot(pointOfSale, at, s.Data, timeZoneOf(pointOfSale), s.Kiosk);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogError(ex, "Stored reference data of {PointOfSale} could not be read", pointOfSale);
                return null; // not cached: the next call tries again
            }

            if (loaded is not null)
            {
                snapshots[pointOfSale] = loaded;
            }

            return loaded;
        }
    }

    public ReferenceSnapshot GetRequiredSnapshot(PointOfSaleId pointOfSale) =>
        GetSnapshot(pointOfSale) ?? throw new MiddlewareException(ErrorCode.ReferenceDataUnavailable,
            $"No reference data for {pointOfSale} yet: the first sync with VEM has not succeeded ({GetStatus(pointOfSale).LastError ?? "not attempted"}).");

    private static VemCaisse WithoutKey(VemCaisse c) => new()
    {
        IdCrous = c.IdCrous, IdUg = c.IdUg, IdRu = c.IdRu, IdUd = c.IdUd, IdCaisse = c.IdCaisse, Libelle = c.Libelle, IdLogiciel = c.IdLogiciel,
    };

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
