using Microsoft.Extensions.Options;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Telemetry;
using Middleware.Domain.Tickets;

namespace Middleware.Payments.Sales;

/// <summary>A till's payment of a sale (Izly debit or CB), and its later status checks.</summary>
internal sealed class SaleCheckout(
    SaleStore store,
    SaleTransitions transitions,
    ISalePricer pricer,
    SaleContinuation continuation,
    IOptionsMonitor<List<PointOfSaleOptions>> pointsOfSale,
    TimeProvider time)
{
    /// <summary>
    /// Pays the whole sale (a ticket has exactly one payment): <c>izly</c> debits the identified customer's account,
    /// <c>cb</c> takes it on the point of sale's payment terminal (<see cref="PointOfSaleOptions.Terminal"/>) or, with
    /// none configured, records a payment taken by the till's own card terminal. A balance too low for the basket is refused
    /// with the balance, so the cashier can take the whole sale by CB instead.
    /// The optional amount is the total the till charged on its own card terminal, or expects: when given and not the
    /// sale's total for the method, nothing is recorded and the sale stays open (1412).
    /// </summary>
    public async Task<PayOutcome> PayAsync(PointOfSaleId pointOfSale, string saleId, Guid requestId, string method, decimal? amount, CancellationToken cancellationToken)
    {
        using var span = MiddlewareTelemetry.Source.StartActivity("sale.pay");
        var sale = await transitions.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        span?.SetTag(MiddlewareTelemetry.Tags.SaleId, sale.Id); // the stored sale's GUID (not the till's text), not personal data
        var rid = requestId.ToString("D");
        if (sale.PaymentRequestId == rid && sale.State is SaleState.Paying or SaleState.Paid or SaleState.Committed or SaleState.PaidNoTicket)
        {
            // The same payment asked again (a till retrying after a timeout): continue it, never start another.
            return await continuation.ContinueAsync(sale, cancellationToken, tillAsksPayment: true).ConfigureAwait(false);
        }

        if (sale.State != SaleState.Open)
        {
            throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}; only an open sale can be paid.");
        }

        if (sale.Basket.IsEmpty)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "The basket is empty.");
        }

        var paymentCode = method switch
        {
            "izly" => CodeReglement.Izly,
            "cb" => CodeReglement.Cb,
            _ => throw new MiddlewareException(ErrorCode.InvalidRequest, $"Unknown payment method '{method}' (izly or cb)."),
        };
        var pricing = await pricer.PriceAsync(pointOfSale, sale.Basket, sale.Profile, paymentCode, cancellationToken).ConfigureAwait(false);
        SaleTotalCheck.Ensure(amount, pricing.TotalTtc, method);
        if (pricing.TotalTtc <= 0 && method == "izly")
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Nothing to debit: the sale's total is not positive.");
        }

        if (method == "izly")
        {
            var identification = sale.Identification
                ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "An Izly payment needs an identified customer (card or QR code).");
            if (identification.Customer.Balance < pricing.TotalTtc)
            {
                throw new MiddlewareException(ErrorCode.InsufficientBalance,
                    $"Balance {identification.Customer.Balance} is below the total {pricing.TotalTtc}.",
                    new { balance = identification.Customer.Balance, total = pricing.TotalTtc });
            }
        }

        // The terminal is chosen now and kept with the sale: a configuration changed before a restart does not turn a
        // payment asked of a terminal into a declared one.
        var terminal = method == "cb" && pricing.TotalTtc > 0
            ? PointOfSaleTerminal.NameOf(pointsOfSale.CurrentValue, pointOfSale)
            : null;
        var paying = sale with
        {
            State = SaleState.Paying,
            Pricing = pricing,
            PaymentMethod = method,
            Terminal = terminal,
            PaymentRequestId = rid,
            UpdatedAt = time.GetUtcNow(),
        };
        var stored = await store.TryUpdateAsync(paying, SaleState.Open, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The sale changed while being paid; ask its status.");
        return await continuation.ContinueAsync(stored, cancellationToken, tillAsksPayment: true).ConfigureAwait(false);
    }

    /// <summary>Asks Izly where a sale's payment stands and finishes the sale when it can (ticket included).</summary>
    public async Task<Sale> RefreshAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await transitions.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return sale.State is SaleState.Paying or SaleState.Paid
            ? (await continuation.ContinueAsync(sale, cancellationToken).ConfigureAwait(false)).Sale
            : sale;
    }
}
