using Microsoft.Extensions.Logging;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Payments.Journal;

namespace Middleware.Payments.Sales;

/// <summary>Starts an IzlyPay web payment: journal intent, sale Paying, Izly's page, operation id on the sale.</summary>
internal sealed class WebPaymentStarter(
    SaleStore store,
    SaleTransitions transitions,
    PaymentJournal journal,
    ISalePricer pricer,
    ChannelInvoker channels,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Starts an IzlyPay web payment for the sale's total; the till shows the returned page (or a QR code of it).</summary>
    public async Task<(Sale Sale, Uri PaymentUrl)> StartAsync(PointOfSaleId pointOfSale, string saleId, Guid requestId, Uri? redirectUrl, CancellationToken cancellationToken)
    {
        var sale = await transitions.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var rid = requestId.ToString("D");
        if (sale.State != SaleState.Open && sale.PaymentRequestId != rid)
        {
            throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}; only an open sale can be paid.");
        }

        var pricing = sale.Pricing ?? await pricer.PriceAsync(pointOfSale, sale.Basket, sale.Profile, CodeReglement.Izly, cancellationToken).ConfigureAwait(false);
        if (sale.Basket.IsEmpty || pricing.TotalTtc <= 0)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Nothing to pay: the basket is empty.");
        }

        var (record, _) = await journal.RecordIntentAsync(pointOfSale.ToString(), requestId, sale.Id, "izlypay", pricing.TotalTtc, null, cancellationToken).ConfigureAwait(false);
        if (record.State is PaymentState.Refused or PaymentState.Cancelled)
        {
            throw GivenUp(); // a retry of a start that was given up: the sale stays as it is (Open)
        }

        var paying = sale with { State = SaleState.Paying, Pricing = pricing, PaymentMethod = "izlypay", PaymentRequestId = rid, UpdatedAt = time.GetUtcNow() };
        if (sale.State == SaleState.Open)
        {
            paying = await store.TryUpdateAsync(paying, SaleState.Open, cancellationToken).ConfigureAwait(false)
                ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The sale changed while being paid; ask its status.");
        }

        await journal.MarkAttemptAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false);
        WebPaymentStarted started;
        try
        {
            started = await channels.InvokeAsync<IWebPaymentChannelPlugin, WebPaymentStarted>("izlypay",
                (p, ct) => p.StartAsync(pointOfSale.ToString(), record.ClientOrderId, pricing.TotalTtc, $"Crous {pointOfSale}", null, redirectUrl, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The till gets no page to show: nobody can confirm this payment, even if Izly created it before the answer
            // was lost. Refused now, the sale is Open again and the cashier takes it another way.
            await GiveUpUnstartedWebPaymentAsync(paying, record, ex.Message).ConfigureAwait(false);
            throw;
        }

        // The operation id must reach the sale, or nobody could verify the payment: a concurrent write (the background
        // pass, a retry of this call) only means trying again on the newer version.
        var current = paying;
        for (var attempt = 1; ; attempt++)
        {
            var withOperation = current with { WebOperationId = started.OperationId, UpdatedAt = time.GetUtcNow() };
            if (await store.TryUpdateAsync(withOperation, SaleState.Paying, cancellationToken).ConfigureAwait(false) is { } written)
            {
                return (await EnsureStillOpenAsync(written, record, cancellationToken).ConfigureAwait(false), started.PaymentUrl);
            }

            current = await store.GetAsync(sale.Id, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("A paying sale vanished.");
            if (current.PaymentRequestId == rid && current.State == SaleState.Paying && current.WebOperationId == started.OperationId)
            {
                return (await EnsureStillOpenAsync(current, record, cancellationToken).ConfigureAwait(false), started.PaymentUrl);
            }

            if (current.PaymentRequestId != rid || current.State != SaleState.Paying || attempt >= 5)
            {
                throw GivenUp();
            }
        }
    }

    // The page is handed out only for a payment still open once its operation id is on the sale: a payment given up
    // meanwhile (a restarted host's pass) would be paid by a customer with no sale waiting for it, and taken twice.
    private async Task<Sale> EnsureStillOpenAsync(Sale sale, PaymentRecord record, CancellationToken cancellationToken)
    {
        var now = await journal.GetByClientOrderIdAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false);
        return now is { State: PaymentState.Pending or PaymentState.Unknown or PaymentState.Approved } ? sale : throw GivenUp();
    }

    private static MiddlewareException GivenUp() =>
        new(ErrorCode.PaymentRefused, "The web payment was given up while it was being started (the middleware restarted meanwhile): its page is not handed out; take the sale another way.");

    private async Task GiveUpUnstartedWebPaymentAsync(Sale paying, PaymentRecord record, string reason)
    {
        SaleLog.WebPaymentGivenUp(logger, record.ClientOrderId, paying.Id, "start failed: " + reason);
        await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "The web payment could not be started: " + reason, CancellationToken.None).ConfigureAwait(false);
        var current = await store.GetAsync(paying.Id, CancellationToken.None).ConfigureAwait(false);
        if (current is { State: SaleState.Paying, WebOperationId: null } && current.PaymentRequestId == paying.PaymentRequestId)
        {
            // Lost to a concurrent write: the background pass finds the refused payment and reopens the sale.
            await store.TryUpdateAsync(current with { State = SaleState.Open, PaymentRequestId = null, PaymentMethod = null, UpdatedAt = time.GetUtcNow() },
                SaleState.Paying, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
