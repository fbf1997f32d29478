using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Tickets.Closing;

namespace Middleware.Payments.Closing;

/// <summary>
/// What a closing lists as not settled on the payments side: payments whose outcome nobody knows yet (Izly or the
/// terminal), refunds asked whose outcome is not recorded, paid sales without a ticket, and sales still paying.
/// </summary>
internal sealed class PaymentOpenItems(PaymentJournal journal, SaleStore sales) : IClosingOpenItemsSource
{
    private const int Limit = 10_000;

    public async Task<IReadOnlyList<OpenItem>> ListAsync(string? pointOfSale, CancellationToken cancellationToken)
    {
        var items = new List<OpenItem>();
        var listed = new HashSet<(string, string)>();
        foreach (var p in await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (pointOfSale is null || p.PointOfSale == pointOfSale)
            {
                listed.Add((p.PointOfSale, p.RequestId));
                items.Add(new OpenItem(
                    "paymentUnknown", p.PointOfSale, p.RequestId, p.Amount, p.CreatedAt,
                    p.State == PaymentState.Unknown
                        ? $"{p.Channel} payment {p.ClientOrderId}: its outcome was lost ({p.ErrorDetail}); recovery asks again, or an operator settles it (payment.resolve)"
                        : $"{p.Channel} payment {p.ClientOrderId}: under way"));
            }
        }

        foreach (var p in await journal.ListRefundingAsync(cancellationToken).ConfigureAwait(false))
        {
            if (pointOfSale is null || p.PointOfSale == pointOfSale)
            {
                listed.Add((p.PointOfSale, p.RequestId));
                items.Add(new OpenItem("refundUnknown", p.PointOfSale, p.RequestId, p.Amount, p.RefundRequestedAt,
                    $"refund of {p.Channel} payment {p.ClientOrderId} asked; its outcome is not recorded"));
            }
        }

        foreach (var (state, kind, what) in new[]
        {
            (SaleState.PaidNoTicket, "paidNoTicket", "paid, its ticket refused before the outbox: fix the cause, then sale.retryTicket"),
            (SaleState.Paid, "paidNoTicket", "paid, its ticket not committed yet (recovery commits it)"),
            (SaleState.Paying, "salePaying", "payment under way or unknown"),
            (SaleState.Refunding, "refundUnknown", "refund under way, or its ticket not committed yet (recovery finishes it)"),
        })
        {
            foreach (var sale in await sales.ListByStateAsync(state, Limit, cancellationToken).ConfigureAwait(false))
            {
                // A paying sale whose payment is listed above is the same open item.
                var sameAsPayment = sale.PaymentRequestId is { } rid && listed.Contains((sale.PointOfSale, rid));
                if ((pointOfSale is null || sale.PointOfSale == pointOfSale) && !sameAsPayment)
                {
                    items.Add(new OpenItem(kind, sale.PointOfSale, sale.Id, sale.Pricing?.TotalTtc, sale.UpdatedAt,
                        $"sale {sale.Id} ({sale.PaymentMethod ?? "no payment"}): {what}{(sale.LastError is { } e ? $" — {e}" : "")}"));
                }
            }
        }

        return items;
    }
}
