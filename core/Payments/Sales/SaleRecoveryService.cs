using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Middleware.Payments.Sales;

/// <summary>
/// At start, and then every <see cref="SalesOptions.RecoveryInterval"/>: settles open payments with Izly and commits the
/// tickets of paid sales, so that a crash between the debit and the ticket loses nothing and pays nothing twice.
/// </summary>
internal sealed partial class SaleRecoveryService(SaleService sales, IOptions<SalesOptions> options, TimeProvider time, ILogger<SaleRecoveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RecoveryInterval, time);
        do
        {
            try
            {
                var committed = await sales.CompleteUnfinishedAsync(stoppingToken).ConfigureAwait(false);
                if (committed > 0)
                {
                    LogCompleted(logger, committed);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(LogLevel.Information, "Recovery committed the tickets of {Count} unfinished sales")]
    private static partial void LogCompleted(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "Sale recovery pass failed; retrying at the next one")]
    private static partial void LogPassFailed(ILogger logger, Exception ex);
}
