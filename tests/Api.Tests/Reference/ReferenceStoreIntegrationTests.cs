using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Middleware.Api.Izly;
using Middleware.Api.Reference;
using Middleware.Api.Tests.Support;
using Middleware.Api.Vem;
using Middleware.Domain.Errors;
using Middleware.Domain.Reference;

namespace Middleware.Api.Tests.Reference;

/// <summary>The reference-data store syncing from the real sandbox over HTTP into a real SQLite file.</summary>
public sealed class ReferenceStoreIntegrationTests
{
    private static DateTimeOffset Now => ApiHarness.Start;

    [Fact]
    public async Task Syncs_every_resource_and_answers_by_profile_and_period()
    {
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem();
        var keys = new IzlyKeyStore(vem);
        var store = h.Store(vem, keys: keys, time: new FakeTimeProvider(Now));

        var result = await store.SyncAsync(ApiHarness.Pos, default);

        Assert.True(result.Succeeded, result.Error);
        var seed = h.Seed;
        var s = store.GetRequiredSnapshot(ApiHarness.Pos);
        Assert.Equal(seed.Tva.Count, s.Tva.Count);
        Assert.Equal(seed.Articles.Count, s.Articles.Count);
        Assert.Equal(seed.Societes.Count, s.Societes.Count);
        Assert.Equal(seed.SocietesTarifs.Count, s.Profiles.Count);
        Assert.Equal(seed.Periodes.Count, s.Periods.Count);
        Assert.Equal(seed.SocietesTarifsPeriode.Count, s.ProfilePeriods.Count);
        Assert.Equal(seed.Prix.Count, s.Prices.Count); // periodesFutures=1: current and future prices
        Assert.Equal(seed.DroitsEntreeTypes.Count, s.EntryFeeTypes.Count);
        Assert.Equal(seed.DroitsEntree.Count, s.EntryFees.Count);
        Assert.Equal(seed.Subventions.Count, s.Subsidies.Count);
        Assert.Equal(14, s.Caisse.IdCaisse);

        // Periods: the current one now, the next one in the future.
        Assert.Equal(seed.CurrentPeriod.IdPeriode, Assert.Single(s.CurrentPeriods(Now)).IdPeriode);
        Assert.Equal(seed.FuturePeriod.IdPeriode, Assert.Single(s.FuturePeriods(Now)).IdPeriode);

        // Prices by profile and time (the set menu 1201 costs 0.10 more next period).
        var later = seed.FuturePeriod.DateDebut.AddDays(1);
        Assert.Equal(3.30m, s.Price(1201, 10, 1, Now)!.PrixTtc);
        Assert.Equal(3.40m, s.Price(1201, 10, 1, later)!.PrixTtc);
        Assert.Equal(seed.PriceOf(1201, 8000, 1), s.Price(1201, 8000, 1, Now)!.PrixTtc);
        Assert.Equal(seed.FuturePeriod.IdPeriode, s.Price(1201, 8000, 1, later)!.IdPeriode);
        Assert.Null(s.Price(1201, 4242, 1, Now));
        var students = s.PricesFor(10, 1, Now);
        Assert.Equal(
            seed.Prix.Count(p => p.CodeSociete == 10 && p.CodeTarif == 1 && p.IdPeriode == seed.CurrentPeriod.IdPeriode && seed.Articles.Single(a => a.CodeArticle == p.CodeArticle).Actif),
            students.Count);

        // Entry fees and subsidies by profile.
        var fee = Assert.Single(s.EntryFeesFor(8000, 1));
        Assert.Equal((9001, 1.50m), (fee.CodeArticle, fee.MontantTtc));
        Assert.Empty(s.EntryFeesFor(10, 1));
        var subsidy = Assert.Single(s.SubsidiesFor(10, 2));
        Assert.Equal((9101, 2.30m), (subsidy.CodeArticle, subsidy.Montant));

        // Kiosk articles (versBornesPrepaiement).
        Assert.Equal(
            seed.Articles.Where(a => a.VersBornesPrepaiement).Select(a => a.CodeArticle).Order(),
            s.GetArticles(kioskOnly: true).Select(a => a.CodeArticle).Order());

        // IReferenceCatalog for validation.
        IReferenceCatalog catalog = s;
        Assert.True(catalog.ArticleExists(1201));
        Assert.False(catalog.ArticleExists(99999));
        Assert.Equal(5.5m, catalog.VatRate(1));
        Assert.Equal(seed.ArticleVatCode(1201), catalog.ArticleVatCode(1201));
        Assert.Equal(2, catalog.ProfileVatCode(8000, 1));

        // The Izly key went to memory, never to the SQLite file or the snapshot.
        Assert.True(keys.Has(ApiHarness.Pos));
        Assert.Null(s.Caisse.CleIzly);
        SqliteConnection.ClearAllPools();
        var fileText = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(store.DatabasePath));
        Assert.DoesNotContain(seed.PointOfSale(ApiHarness.Pos).CleIzly, fileText, StringComparison.Ordinal);

        var status = store.GetStatus(ApiHarness.Pos);
        Assert.True(status.HasData);
        Assert.Null(status.LastError);
        Assert.Equal(0, status.AgeSeconds);
        Assert.Equal(seed.Prix.Count, status.Counts["articles-societes-tarifs-periodes"]);
    }

    [Fact]
    public async Task With_VEM_down_the_cache_serves_and_shows_its_age_and_error_also_after_a_restart()
    {
        await using var h = await ApiHarness.StartAsync();
        var options = h.VemOptions();
        options.Retry.MaxRetries = 1;
        var vem = h.Vem(options);
        var clock = new FakeTimeProvider(Now);
        var store = h.Store(vem, time: clock);
        Assert.True((await store.SyncAsync(ApiHarness.Pos, default)).Succeeded);

        await h.StopSandboxAsync();
        clock.Advance(TimeSpan.FromHours(2));
        var failed = await store.SyncAsync(ApiHarness.Pos, default);

        Assert.False(failed.Succeeded);
        Assert.StartsWith("Unavailable", failed.Error, StringComparison.Ordinal);
        Assert.Equal(3.30m, store.GetRequiredSnapshot(ApiHarness.Pos).Price(1201, 10, 1, Now)!.PrixTtc);
        var status = store.GetStatus(ApiHarness.Pos);
        Assert.True(status.HasData);
        Assert.Equal(7200, status.AgeSeconds);
        Assert.Equal(Now, status.LastSuccessUtc);
        Assert.Equal(Now.AddHours(2), status.LastAttemptUtc);
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.NotNull(status.LastError);

        // A restarted host (a new store on the same file) serves the stored data with VEM still down.
        var restarted = h.Store(h.Vem(options), databasePath: store.DatabasePath, time: clock);
        var snapshot = restarted.GetRequiredSnapshot(ApiHarness.Pos);
        Assert.Equal(3.30m, snapshot.Price(1201, 10, 1, Now)!.PrixTtc);
        Assert.Equal(Now, snapshot.SyncedAt);
        Assert.Equal(7200, restarted.GetStatus(ApiHarness.Pos).AgeSeconds);
    }

    [Fact]
    public async Task Without_any_successful_sync_queries_fail_with_ReferenceDataUnavailable()
    {
        await using var h = await ApiHarness.StartAsync();
        var options = h.VemOptions();
        options.Retry.MaxRetries = 0;
        var vem = h.Vem(options);
        var store = h.Store(vem);
        await h.StopSandboxAsync();

        var result = await store.SyncAsync(ApiHarness.Pos, default);

        Assert.False(result.Succeeded);
        Assert.False(result.Status.HasData);
        Assert.True(result.Status.IsStale);
        var ex = Assert.Throws<MiddlewareException>(() => store.GetRequiredSnapshot(ApiHarness.Pos));
        Assert.Equal(ErrorCode.ReferenceDataUnavailable, ex.Code);
    }

    [Fact]
    public async Task A_500_in_the_middle_of_a_sync_leaves_the_previous_data_whole()
    {
        await using var h = await ApiHarness.StartAsync();
        var options = h.VemOptions();
        options.Retry.MaxRetries = 1;
        var vem = h.Vem(options);
        var clock = new FakeTimeProvider(Now);
        var store = h.Store(vem, time: clock);
        Assert.True((await store.SyncAsync(ApiHarness.Pos, default)).Succeeded);
        var before = RowCounts(store.DatabasePath);

        // Prices answer 500 while the other resources answer: nothing may be replaced.
        h.Server.Faults.FailNext(100, "/vem/v1/5/articles-societes-tarifs-periodes/*", 500);
        clock.Advance(TimeSpan.FromMinutes(5));
        var failed = await store.SyncAsync(ApiHarness.Pos, default);

        Assert.False(failed.Succeeded);
        Assert.Contains("HTTP 500", failed.Error, StringComparison.Ordinal);
        Assert.Equal(before, RowCounts(store.DatabasePath));
        Assert.Equal(Now, store.GetStatus(ApiHarness.Pos).LastSuccessUtc);
        Assert.Equal(3.30m, store.GetRequiredSnapshot(ApiHarness.Pos).Price(1201, 10, 1, Now)!.PrixTtc);

        h.Server.Faults.Clear();
        Assert.True((await store.SyncAsync(ApiHarness.Pos, default)).Succeeded);
        Assert.Equal(Now.AddMinutes(5), store.GetStatus(ApiHarness.Pos).LastSuccessUtc);
    }

    [Fact]
    public async Task A_crash_half_way_through_the_write_rolls_back_to_the_previous_data()
    {
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem();
        var store = h.Store(vem);
        Assert.True((await store.SyncAsync(ApiHarness.Pos, default)).Succeeded);
        var before = RowCounts(store.DatabasePath);
        Assert.True(before["ref_prix"] > 0);

        // Every row of the point of sale is deleted in the transaction, then the write dies before the prices.
        store.BeforeCommit = step => { if (step == "ref_prix") throw new IOException("disk full (simulated)"); };
        var failed = await store.SyncAsync(ApiHarness.Pos, default);

        Assert.False(failed.Succeeded);
        Assert.Contains("disk full", failed.Error, StringComparison.Ordinal);
        Assert.Equal(before, RowCounts(store.DatabasePath));
        var reopened = h.Store(vem, databasePath: store.DatabasePath);
        Assert.Equal(3.30m, reopened.GetRequiredSnapshot(ApiHarness.Pos).Price(1201, 10, 1, Now)!.PrixTtc);
    }

    [Fact]
    public async Task The_hosted_schedule_syncs_at_start_every_interval_and_backs_off_after_failures()
    {
        await using var h = await ApiHarness.StartAsync();
        var vemOptions = h.VemOptions();
        vemOptions.Retry.MaxRetries = 0;
        var vem = h.Vem(vemOptions);
        var clock = new FakeTimeProvider(Now);
        var options = new ReferenceOptions { SyncInterval = TimeSpan.FromHours(1), RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(10) };
        var store = h.Store(vem, time: clock, options: options);
        var results = new System.Collections.Concurrent.ConcurrentQueue<ReferenceSyncResult>();
        store.Synced += (_, r) => results.Enqueue(r);
        var service = new ReferenceSyncService(store, options, clock, NullLogger<ReferenceSyncService>.Instance);
        using var stop = new CancellationTokenSource();
        var run = service.RunAsync(ApiHarness.Pos, stop.Token);

        await AdvanceUntilAsync(clock, () => !results.IsEmpty, TimeSpan.Zero);
        Assert.True(results.Single().Succeeded);

        var waited = await AdvanceUntilAsync(clock, () => results.Count >= 2, TimeSpan.FromMinutes(1));
        Assert.True(waited >= TimeSpan.FromHours(1), $"second sync after {waited}");
        Assert.True(results.Last().Succeeded);

        h.Server.Faults.FailRate(1.0, "/vem/v1/*", 503);
        await AdvanceUntilAsync(clock, () => results.Count >= 3, TimeSpan.FromMinutes(1));
        Assert.False(results.Last().Succeeded);

        // After a failure the next attempt comes after the backoff (about 30 s), not after the hour.
        var backoff = await AdvanceUntilAsync(clock, () => results.Count >= 4, TimeSpan.FromSeconds(2));
        Assert.False(results.Last().Succeeded);
        Assert.InRange(backoff, TimeSpan.FromSeconds(24), TimeSpan.FromMinutes(30)); // far below the 1 h interval (slack for slow CI)
        Assert.Equal(2, store.GetStatus(ApiHarness.Pos).ConsecutiveFailures);

        h.Server.Faults.Clear();
        await AdvanceUntilAsync(clock, () => results.Count >= 5, TimeSpan.FromSeconds(5));
        Assert.True(results.Last().Succeeded);

        await stop.CancelAsync();
        await run;
    }

    /// <summary>Moves the fake clock by <paramref name="step"/> until <paramref name="done"/>; returns how far it moved.
    /// Real waiting only lets the real HTTP calls finish (bounded to 60 s).</summary>
    private static async Task<TimeSpan> AdvanceUntilAsync(FakeTimeProvider clock, Func<bool> done, TimeSpan step)
    {
        var moved = TimeSpan.Zero;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the scheduled sync did not happen");
            if (step > TimeSpan.Zero)
            {
                clock.Advance(step);
                moved += step;
            }

            await Task.Delay(10);
        }

        return moved;
    }

    private static Dictionary<string, long> RowCounts(string path)
    {
        using var c = new SqliteConnection($"Data Source={path}");
        c.Open();
        return new[] { "ref_caisse", "ref_tva", "ref_articles", "ref_societes", "ref_societes_tarifs", "ref_periodes", "ref_societes_tarifs_periode", "ref_prix", "ref_droits_entree_types", "ref_droits_entree", "ref_subventions" }
            .ToDictionary(t => t, t => c.ExecuteScalar<long>($"SELECT COUNT(*) FROM {t}"));
    }
}
