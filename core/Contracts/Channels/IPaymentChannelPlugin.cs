using Middleware.Contracts.Plugins;

namespace Middleware.Contracts.Channels;

/// <summary>
/// A payment channel: card, QR code or IzlyPay. The host owns the sale, the payment journal and recovery;
/// a channel identifies the customer from its medium and performs the debit through
/// <see cref="IIzlyGateway"/> (a host service). Channels keep no state of their own between calls.
/// </summary>
public interface IPaymentChannelPlugin : IPlugin
{
    /// <summary><c>card</c>, <c>qr</c> or <c>izlypay</c>: the <see cref="PaymentMedium.Channel"/> it handles.</summary>
    string Channel { get; }

    /// <summary>Finds the right holder behind <paramref name="medium"/>. Throws <see cref="IzlyRefusedException"/>
    /// for an unknown, closed, blocked, frozen or expired account or a bad QR code.</summary>
    Task<RightHolder> IdentifyAsync(string pointOfSale, PaymentMedium medium, CancellationToken cancellationToken);

    /// <summary>Debits. Same exceptions as <see cref="IIzlyGateway.DebitAsync"/>; the host retries only through
    /// <see cref="IIzlyGateway.GetDebitAsync"/>.</summary>
    Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken);
}
