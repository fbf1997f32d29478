using Middleware.Contracts.Channels;

namespace Company.IzlyChannel.Tests;

/// <summary>The host's Izly gateway for unit tests: one known QR code, one holder, and every call recorded.</summary>
internal sealed class FakeIzlyGateway : IIzlyGateway
{
    public const string KnownQr = "AIZ;5d0e9a14-7c3b-4b7e-8f2a-6a1d2c3b4e02;1764150000;3;aG1hYw==;c2lnbmF0dXJl";

    public static RightHolder Holder { get; } = new("1000001", "Camille", "Martin", 15.25m, 10, 1, null, "ACTIVE", "NONE", 5, null, null, 0);

    public List<string> Calls { get; } = [];

    public Task<RightHolder> FindByQrCodeAsync(string pointOfSale, string scannedText, CancellationToken cancellationToken)
    {
        Calls.Add($"FindByQrCode {pointOfSale}");
        return scannedText == KnownQr
            ? Task.FromResult(Holder)
            : throw new IzlyRefusedException(IzlyRefusal.UnknownHolder, "Unknown QR code.");
    }

    public Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken)
    {
        Calls.Add($"Debit {request.PointOfSale} {request.ClientOrderId} {request.Amount}");
        return Task.FromResult(new DebitResult("88401", IzlyOperationStatus.Completed, Holder.Balance - request.Amount, DateTimeOffset.UnixEpoch));
    }

    public Task<RightHolder> FindBySupportAsync(string pointOfSale, string idSupport, string numeroApplicatif, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A QR channel never searches by card.");

    public Task<DebitResult?> GetDebitAsync(string pointOfSale, string clientOrderId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Not used by the channel: the host recovers debits itself.");

    public Task<IzlyOperationStatus> CancelAsync(string pointOfSale, string idTransactionIzly, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Not used by the channel.");

    public Task<WebPaymentStarted> StartWebPaymentAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Not used by the channel.");

    public Task<WebPaymentState> GetWebPaymentAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Not used by the channel.");
}
