using Microsoft.Extensions.Logging;

namespace Middleware.Payments.Sales;

// The sale parts all log under SaleService's category, as before the split, so log filters and alerts keep matching.
internal static partial class SaleLog
{
    [LoggerMessage(LogLevel.Warning, "IzlyPay payment {ClientOrderId} of sale {SaleId} given up: {Reason}")]
    public static partial void WebPaymentGivenUp(ILogger logger, string clientOrderId, string saleId, string reason);

    [LoggerMessage(LogLevel.Error, "ALERT: sale {SaleId} of {PointOfSale} is paid but its ticket was refused ({Code}: {Reason}); it waits as PaidNoTicket for sale.retryTicket")]
    public static partial void PaidNoTicket(ILogger logger, string saleId, string pointOfSale, int code, string reason);

    [LoggerMessage(LogLevel.Warning, "Ticket of PaidNoTicket sale {SaleId} of {PointOfSale} replayed by an operator")]
    public static partial void TicketRetried(ILogger logger, string saleId, string pointOfSale);

    [LoggerMessage(LogLevel.Information, "Sale {SaleId} of {PointOfSale} identified by card {Card} read without a SAM ({Technology}): unauthenticated, {Decision} by this point of sale")]
    public static partial void UnauthenticatedCard(ILogger logger, string saleId, string pointOfSale, string card, string technology, string decision);

    [LoggerMessage(LogLevel.Error, "Completing sale {SaleId} failed; retried at the next pass")]
    public static partial void CompletionFailed(ILogger logger, Exception ex, string saleId);

    [LoggerMessage(LogLevel.Information, "Refund of sale {SaleId} of {PointOfSale} asked ({Method})")]
    public static partial void RefundAsked(ILogger logger, string saleId, string pointOfSale, string method);

    [LoggerMessage(LogLevel.Information, "Sale {SaleId} of {PointOfSale} refunded; refund ticket {IdTicketEntete} committed")]
    public static partial void Refunded(ILogger logger, string saleId, string pointOfSale, string idTicketEntete);

    [LoggerMessage(LogLevel.Warning, "Refund of sale {SaleId} of {PointOfSale} was not made: the sale is Committed again")]
    public static partial void RefundNotMade(ILogger logger, string saleId, string pointOfSale);

    [LoggerMessage(LogLevel.Error, "ALERT: sale {SaleId} of {PointOfSale} is refunded but its refund ticket is not committed; retried at every recovery pass")]
    public static partial void RefundTicketFailed(ILogger logger, Exception ex, string saleId, string pointOfSale);
}
