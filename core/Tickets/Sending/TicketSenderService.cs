using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Whiz;

namespace Middleware.Tickets.Sending;

/// <summary>The background sender: VEM uploads and the Whiz feed, woken by commits or its poll interval.</summary>
internal sealed class TicketSenderService(
    TicketSender sender,
    WhizQueue whiz,
    IWhizClient? whizClient,
    OutboxSignal signal,
    TicketsOptions options,
    TimeProvider time,
    ILogger<TicketSenderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = options.PollInterval;
            var ticketsTask = SendTicketsAsync(stoppingToken);
            var whizTask = SendWhizAsync(stoppingToken);
            try
            {
                var pass = await ticketsTask.ConfigureAwait(false);
                var whizFailed = await whizTask.ConfigureAwait(false);
                if (pass.MoreReady)
                {
                    continue;
                }

                if (pass.NextRetryAt is { } next)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks, Math.Max(0, (next - time.GetUtcNow()).Ticks)));
                }

                if (whizFailed && options.InitialBackoff < delay)
                {
                    delay = options.InitialBackoff;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await signal.WaitAsync(delay, time, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task<SendPassResult> SendTicketsAsync(CancellationToken ct)
    {
        try
        {
            return await sender.SendPassAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The store itself failed (disk, lock): keep the service alive and try again after a pause.
            logger.LogError(ex, "Ticket sender pass failed");
            return new SendPassResult(0, 0, false, time.GetUtcNow() + options.InitialBackoff);
        }
    }

    private async Task<bool> SendWhizAsync(CancellationToken ct)
    {
        if (whizClient is null)
        {
            return false;
        }

        try
        {
            return await whiz.ProcessOnceAsync(whizClient, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Whiz pass failed");
            return true;
        }
    }
}
