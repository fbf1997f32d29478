using Middleware.Domain.Errors;

namespace Middleware.Payments.Sales;

/// <summary>
/// The amount a till sends with <c>sale.pay</c>: what it charged on its own card terminal (or expects to be debited).
/// The ticket must say what the customer really paid, so a different total is refused before anything is recorded,
/// instead of a ticket that disagrees with the card receipt.
/// </summary>
internal static class SaleTotalCheck
{
    public static void Ensure(decimal? amount, decimal total, string method)
    {
        if (amount is { } charged && charged != total)
        {
            throw new MiddlewareException(ErrorCode.SaleTotalMismatch,
                $"The till's amount {charged} is not the sale's {method} total {total}: ask sale.quote, charge that total, then pay with a new requestId.",
                new { amount = charged, total, method });
        }
    }
}
