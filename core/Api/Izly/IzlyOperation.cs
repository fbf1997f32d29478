using Middleware.Contracts.Channels;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Izly;

/// <summary>
/// One Izly operation of a point of sale as the reconciliation list gives it (crous-izly-api.md §5, [designed]):
/// a card or QR debit, or an IzlyPay web payment, with its refund if it was refunded.
/// </summary>
/// <param name="PointOfSale">The point of sale asked for.</param>
/// <param name="IdTransactionIzly">Izly's id: the ticket's <c>idTransactionIzly</c> (for IzlyPay, the web operation id).</param>
/// <param name="ClientOrderId">Our id of the payment (<c>&lt;pos&gt;-&lt;requestId N&gt;</c>).</param>
/// <param name="Amount">In euros (Izly counts cents; converted in <see cref="IzlyAdapter"/>).</param>
/// <param name="Status">Completed, Cancelled (refunded the same day), Refunded, Waiting, Refused...</param>
/// <param name="Means">How it was paid: <c>support</c> (card), <c>qrcode</c>, <c>izlypay</c>, or another word Izly uses.</param>
/// <param name="CreatedAt">When Izly created it (the debit, or the web payment's creation).</param>
/// <param name="UpdatedAt">Its last change: the refund, the web payment's confirmation, else its creation.</param>
/// <param name="RefundedAt">When it was refunded, or null.</param>
public sealed record IzlyOperation(
    PointOfSaleId PointOfSale,
    string IdTransactionIzly,
    string ClientOrderId,
    decimal Amount,
    IzlyOperationStatus Status,
    string Means,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? RefundedAt);
