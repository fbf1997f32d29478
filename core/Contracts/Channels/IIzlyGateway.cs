namespace Middleware.Contracts.Channels;

/// <summary>
/// The host's Izly API client as channel plugins see it (a host service: <c>GetService&lt;IIzlyGateway&gt;()</c>).
/// Amounts are euros; the host converts to Izly's cents in one place.
/// </summary>
/// <remarks>Refusals throw <see cref="IzlyRefusedException"/>; network failures and timeouts throw
/// <see cref="IzlyUnavailableException"/>. <see cref="DebitAsync"/> is never retried by the gateway after a
/// request may have reached Izly: its caller recovers with <see cref="GetDebitAsync"/>.</remarks>
public interface IIzlyGateway
{
    /// <summary>The right holder of a card (<c>searchSupport</c>).</summary>
    Task<RightHolder> FindBySupportAsync(string pointOfSale, string idSupport, string numeroApplicatif, CancellationToken cancellationToken);

    /// <summary>The right holder of a QR code (<c>searchQRCode</c>); <paramref name="scannedText"/> is the raw text.</summary>
    Task<RightHolder> FindByQrCodeAsync(string pointOfSale, string scannedText, CancellationToken cancellationToken);

    /// <summary>Debits the holder identified by the request's card or QR code.</summary>
    Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken);

    /// <summary>The debit made with <paramref name="clientOrderId"/>, or null when Izly has none.</summary>
    Task<DebitResult?> GetDebitAsync(string pointOfSale, string clientOrderId, CancellationToken cancellationToken);

    /// <summary>Cancels (refunds the same day) a completed debit; returns the new status.</summary>
    Task<IzlyOperationStatus> CancelAsync(string pointOfSale, string idTransactionIzly, CancellationToken cancellationToken);

    /// <summary>Starts an IzlyPay web payment of <paramref name="amount"/> euros.</summary>
    Task<WebPaymentStarted> StartWebPaymentAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken);

    /// <summary>The verified state of a web payment (the verification call).</summary>
    Task<WebPaymentState> GetWebPaymentAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken);
}
