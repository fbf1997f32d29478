using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Payments.Journal;

namespace Middleware.Payments.Sales;

/// <summary>
/// Settles a Paying IzlyPay sale through the web-payment verification call, and gives it up when nobody can confirm it.
/// </summary>
internal sealed class WebPaymentSettler(
    SaleTransitions transitions,
    PaymentJournal journal,
    ChannelInvoker channels,
    IOptions<SalesOptions> options,
    TimeProvider time,
    ILogger logger)
{
    private readonly SalesOptions _options = options.Value;

    // Web payments whose page this host never handed out and whose start ran in an earlier process cannot be
    // running any more: they are given up at once instead of after WebPaymentTimeout.
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public async Task<(Sale Sale, PaymentRecord Payment)> SettleAsync(Sale sale, CancellationToken cancellationToken)
    {
        var record = await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A web payment has no journal record.");
        if (record.IsFinal)
        {
            return (sale, record);
        }

        if (sale.WebOperationId is null)
        {
            // Izly's page was never handed out (a crash or a failure while starting it): nobody can confirm it, but an
            // izlypay.start still running must not be cut short, so it is given up only after the web-payment timeout,
            // or at once when the start ran in an earlier process (this host restarted since: it cannot be running).
            if (time.GetUtcNow() - record.CreatedAt > _options.WebPaymentTimeout || (record.LastAttemptAt ?? record.CreatedAt) < _startedAt)
            {
                SaleLog.WebPaymentGivenUp(logger, record.ClientOrderId, sale.Id, "never started");
                await journal.RefuseUnlessAttemptedSinceAsync(record.ClientOrderId, record.LastAttemptAt, (int)ErrorCode.PaymentRefused, "The web payment was never started at Izly.", cancellationToken).ConfigureAwait(false);
                return (sale, await journal.GetByClientOrderIdAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false) ?? record);
            }

            return (sale, record);
        }

        WebPaymentState state;
        try
        {
            state = await channels.InvokeAsync<IWebPaymentChannelPlugin, WebPaymentState>("izlypay",
                (p, ct) => p.GetStateAsync(sale.PointOfSale, sale.WebOperationId, record.ClientOrderId, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (MiddlewareException ex) when (ex.Code is ErrorCode.UpstreamUnavailable or ErrorCode.PluginTimeout)
        {
            return (sale, record);
        }

        if (state.Status == IzlyOperationStatus.Completed)
        {
            // The customer's code goes on the sale before the journal says approved: the ticket needs it (§4, IzlyPay).
            if (state.ClientCode is not null && sale.Identification is null && sale.Profile.CodeClient != state.ClientCode)
            {
                sale = await transitions.MoveAsync(sale, SaleState.Paying, s => s with { AnonymousProfile = s.Profile with { CodeClient = state.ClientCode } }, cancellationToken).ConfigureAwait(false);
            }

            // IzlyPay does not tell the balance after the payment: none is recorded rather than a false 0.
            await journal.ApproveAsync(record.ClientOrderId, state.OperationId, null, cancellationToken).ConfigureAwait(false);
        }
        else if (state.Status is IzlyOperationStatus.Refused or IzlyOperationStatus.Cancelled || state.Error is not null)
        {
            await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, state.Error ?? $"IzlyPay status {state.Status}.", cancellationToken).ConfigureAwait(false);
        }
        else if (time.GetUtcNow() - record.CreatedAt > _options.WebPaymentTimeout)
        {
            // Only the verification call decides while the customer may still confirm; past the timeout (and with
            // the operation still not final just now) the sale is given back to the till, and it is logged for support.
            SaleLog.WebPaymentGivenUp(logger, record.ClientOrderId, sale.Id, $"status {state.Status} after {_options.WebPaymentTimeout}");
            await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "The customer did not confirm the web payment in time.", cancellationToken).ConfigureAwait(false);
        }

        return (sale, await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false) ?? record);
    }
}
