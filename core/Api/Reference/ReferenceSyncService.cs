using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Reference;

/// <summary>
/// Syncs every configured point of sale at start (<see cref="ReferenceOptions.SyncAtStart"/>), then every
/// <see cref="ReferenceOptions.SyncInterval"/>; after a failure it retries with exponential backoff and jitter
/// (<see cref="ReferenceOptions.RetryBaseDelay"/> doubling up to <see cref="ReferenceOptions.RetryMaxDelay"/>).
/// Driven by <see cref="TimeProvider"/>, so tests move time instead of sleeping.
/// </summary>
internal sealed class ReferenceSyncService(IReferenceStore store, ReferenceOptions options, TimeProvider time, ILogger<ReferenceSyncService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(store.PointsOfSale.Select(pos => RunAsync(pos, stoppingToken)));

    internal async Task RunAsync(PointOfSaleId pointOfSale, CancellationToken stoppingToken)
    {
        var failures = 0;
        if (!options.SyncAtStart && !await WaitAsync(options.SyncInterval, stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            bool succeeded;
            try
            {
                succeeded = (await store.SyncAsync(pointOfSale, stoppingToken).ConfigureAwait(false)).Succeeded;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The library never crashes the host: log, back off, try again.
                logger.LogError(ex, "Reference sync of {PointOfSale} crashed", pointOfSale);
                succeeded = false;
            }

            failures = succeeded ? 0 : failures + 1;
            var delay = NextDelay(failures, options, Random.Shared.NextDouble());
            if (!succeeded)
            {
                logger.LogInformation("Reference sync of {PointOfSale}: failure {Failures}, next attempt in {Delay}", pointOfSale, failures, delay);
            }

            if (!await WaitAsync(delay, stoppingToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>The interval after a success; after the n-th failure in a row, base × 2^(n-1) ± 20 % (capped).</summary>
    internal static TimeSpan NextDelay(int failures, ReferenceOptions options, double random01)
    {
        if (failures <= 0)
        {
            return options.SyncInterval;
        }

        var backoff = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        backoff = Math.Min(backoff, options.RetryMaxDelay.TotalMilliseconds);
        var jittered = backoff * (0.8 + (0.4 * random01));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.RetryMaxDelay.TotalMilliseconds));
    }

    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
