using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Middleware.Tickets.Journal;

/// <summary>
/// At start: journals what an older version left unjournaled, then verifies the whole journal in the background (a
/// long journal must not hold the tills back) and logs every problem as Critical; <c>journal.status</c> shows the result.
/// A damaged journal does not stop sales: the restaurant keeps serving, and the breach is on record.
/// </summary>
internal sealed class JournalStartupCheck(JournalService journal, ILogger<JournalStartupCheck> logger) : IHostedService
{
    private readonly CancellationTokenSource stopping = new();
    private Task? check;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        journal.AdoptUnjournaledTickets();
        if (journal.Options.VerifyAtStart)
        {
            check = Task.Run(async () =>
            {
                try
                {
                    var result = await journal.VerifyAsync(signatures: true, stopping.Token).ConfigureAwait(false);
                    if (result.Intact)
                    {
                        logger.LogInformation("Sales journal verified at start: {Entries} entries, last {Seq}, intact", result.Entries, result.LastSeq);
                    }
                    else
                    {
                        logger.LogCritical("Sales journal verified at start: {Count} problems (journal.status lists them)", result.Problems.Count + result.MoreProblems);
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Sales journal verification at start failed");
                }
            }, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (check is not null)
        {
            await check.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
