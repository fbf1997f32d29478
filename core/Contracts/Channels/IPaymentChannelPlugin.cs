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

/// <summary>
/// A web payment channel (IzlyPay): the customer identifies and confirms on Izly's own page, so there is no
/// identification step and no direct debit. The host polls <see cref="GetStateAsync"/> until the payment is final;
/// a callback from Izly, where it can reach the host, only shortens the wait.
/// </summary>
public interface IWebPaymentChannelPlugin : IPlugin
{
    /// <summary><c>izlypay</c>.</summary>
    string Channel { get; }

    /// <summary>Creates the web payment and returns the page the customer's browser must open.</summary>
    Task<WebPaymentStarted> StartAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken);

    /// <summary>The verified state of the payment: rejects a mismatching order id or an error from Izly.</summary>
    Task<WebPaymentState> GetStateAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken);
}
