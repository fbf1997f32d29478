using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Payments.Journal;
using Middleware.PluginHost;

namespace Middleware.Payments.Terminals;

/// <summary>
/// One exchange with a payment terminal and what it writes in the journal: the answer (accepted, refused, not completed),
/// a failure that proves nothing was sent (a refusal, nothing taken), or a lost answer (Unknown, never asked again).
/// Runs apart from any till's call (<see cref="TerminalPayments"/> starts it and lets callers join it).
/// </summary>
internal sealed partial class TerminalExchange(PaymentJournal journal, IServiceProvider services, IOptions<PaymentOptions> options, ILogger logger)
{
    public async Task<PaymentRecord> PayAsync(PaymentRecord record, string terminal)
    {
        var coid = record.ClientOrderId;
        var request = new TerminalPaymentRequest(terminal, record.Amount, record.RequestId.Replace("-", "", StringComparison.Ordinal), options.Value.TerminalPaymentTimeout);
        try
        {
            var result = await Readers.TakePaymentAsync(request, CancellationToken.None).ConfigureAwait(false);
            var report = Bounded(result.Report);
            switch (result.Outcome)
            {
                case TerminalPaymentOutcome.Accepted when result.Amount == record.Amount:
                    await journal.ApproveTerminalAsync(coid, report, null, CancellationToken.None).ConfigureAwait(false);
                    break;
                case TerminalPaymentOutcome.Accepted:
                    // Accepted for another amount: only the receipt can say what was taken.
                    await journal.MarkUnknownAsync(coid, (int)ErrorCode.PaymentOutcomeUnknown,
                        $"The terminal accepted {result.Amount} € where {record.Amount} € was asked: read its receipt, then payment.resolve.", CancellationToken.None).ConfigureAwait(false);
                    break;
                case TerminalPaymentOutcome.Refused:
                    await journal.RefuseTerminalAsync(coid, (int)ErrorCode.PaymentRefused, "The card or the bank refused the payment at the terminal.", report, null, CancellationToken.None).ConfigureAwait(false);
                    break;
                default:
                    await journal.RefuseTerminalAsync(coid, (int)ErrorCode.PaymentNotCompleted, "The payment was not completed at the terminal (no card, cancelled, or its time ran out).", report, null, CancellationToken.None).ConfigureAwait(false);
                    break;
            }

            LogAnswered(logger, coid, terminal, result.Outcome);
        }
        catch (Exception ex) when (NotSent(ex) is { } why)
        {
            LogNotSent(logger, coid, terminal, why);
            await journal.RefuseTerminalAsync(coid, (int)ErrorCode.ReaderUnavailable, $"The terminal was not asked ({why}): nothing was taken.", null, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The request may have reached the terminal: it may have taken the money. Never asked again.
            LogUnknown(logger, coid, terminal, ex.Message);
            await journal.MarkUnknownAsync(coid, (int)ErrorCode.PaymentOutcomeUnknown,
                $"The terminal's answer was lost ({ex.Message}): read its receipt, then payment.resolve with outcome accepted or refused.", CancellationToken.None).ConfigureAwait(false);
        }

        return await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false);
    }

    public async Task<PaymentRecord> RefundAsync(PaymentRecord record, string terminal)
    {
        var coid = record.ClientOrderId;
        var request = new TerminalPaymentRequest(terminal, record.Amount, record.RequestId.Replace("-", "", StringComparison.Ordinal), options.Value.TerminalPaymentTimeout);
        try
        {
            var result = await Readers.RefundAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (result.Outcome == TerminalPaymentOutcome.Accepted && result.Amount == record.Amount)
            {
                await journal.CancelAsync(coid, CancellationToken.None).ConfigureAwait(false);
            }
            else if (result.Outcome == TerminalPaymentOutcome.Accepted)
            {
                LogUnknown(logger, coid, terminal, $"refund accepted for {result.Amount} € where {record.Amount} € was asked");
                return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
                {
                    ErrorDetail = $"The terminal refunded {result.Amount} € where {record.Amount} € was asked: read its receipt, then payment.resolve.",
                };
            }
            else
            {
                await journal.ClearRefundRequestAsync(coid, CancellationToken.None).ConfigureAwait(false);
                LogAnswered(logger, coid, terminal, result.Outcome);
                return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
                {
                    ErrorCode = (int)ErrorCode.PaymentNotCancellable,
                    ErrorDetail = result.Outcome == TerminalPaymentOutcome.Refused ? "The terminal refused the refund." : "The refund was not completed at the terminal.",
                };
            }
        }
        catch (Exception ex) when (NotSent(ex) is { } why)
        {
            await journal.ClearRefundRequestAsync(coid, CancellationToken.None).ConfigureAwait(false);
            LogNotSent(logger, coid, terminal, why);
            return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
            {
                ErrorCode = (int)ErrorCode.ReaderUnavailable,
                ErrorDetail = $"The terminal was not asked ({why}): nothing was refunded.",
            };
        }
        catch (Exception ex)
        {
            LogUnknown(logger, coid, terminal, ex.Message);
            return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
            {
                ErrorDetail = $"The terminal's answer to the refund was lost ({ex.Message}): read its receipt, then payment.resolve with outcome refunded or notRefunded.",
            };
        }

        return await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false);
    }

    // A terminal's report (or an operator's note) is kept with the sale: bounded, whatever the terminal or till sends.
    internal static string? Bounded(string? text) => text is null ? null : text.Length <= 512 ? text : text[..512];

    // Failures that prove the terminal never got the request: the terminal said so (busy, link down before the frame),
    // or the host could not reach a plugin for it.
    private static string? NotSent(Exception ex) => ex switch
    {
        TerminalException { RequestNotSent: true } t => t.Message,
        MiddlewareException { Code: ErrorCode.UnknownReader or ErrorCode.PluginUnavailable } m => m.Message,
        _ => null,
    };

    private ICardReaders Readers => services.GetService(typeof(ICardReaders)) as ICardReaders
        ?? throw new MiddlewareException(ErrorCode.PluginUnavailable, "This host has no card readers or terminals (CardReaders is off).");

    private async Task<PaymentRecord> ReloadAsync(PaymentRecord record, CancellationToken cancellationToken) =>
        await journal.GetByClientOrderIdAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("A journal record vanished.");

    [LoggerMessage(LogLevel.Information, "Terminal payment {ClientOrderId} on {Terminal}: {Outcome}")]
    private static partial void LogAnswered(ILogger logger, string clientOrderId, string terminal, TerminalPaymentOutcome outcome);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} on {Terminal} not sent: {Reason}")]
    private static partial void LogNotSent(ILogger logger, string clientOrderId, string terminal, string reason);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} on {Terminal}: outcome unknown ({Reason}); an operator settles it from the receipt")]
    private static partial void LogUnknown(ILogger logger, string clientOrderId, string terminal, string reason);
}
