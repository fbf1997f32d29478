using Middleware.Contracts.Channels;

namespace Middleware.Plugins.Testing.Fakes;

/// <summary>How <see cref="FakeIzlyGateway"/> answers every call.</summary>
public enum FakeGatewayBehaviour
{
    /// <summary>A known, active holder; debits complete.</summary>
    Answer,

    /// <summary>Never answers: each call waits until its token is cancelled (then throws <see cref="OperationCanceledException"/>).</summary>
    Hang,

    /// <summary>Izly refuses: <see cref="IzlyRefusedException"/> (unknown holder).</summary>
    Refuse,

    /// <summary>Izly cannot be reached: <see cref="IzlyUnavailableException"/>.</summary>
    Unavailable,
}

/// <summary>
/// An in-memory Izly gateway for channel plugins (the host's <see cref="IIzlyGateway"/> service): answers as
/// <see cref="Behaviour"/> says and counts the calls. Thread-safe.
/// </summary>
public sealed class FakeIzlyGateway : IIzlyGateway
{
    private int _calls;

    /// <summary>How the next calls are answered. Default <see cref="FakeGatewayBehaviour.Answer"/>.</summary>
    public FakeGatewayBehaviour Behaviour { get; set; } = FakeGatewayBehaviour.Answer;

    /// <summary>The clock of the answers' dates. Default the system clock.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>How many calls the plugin made.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The holder every identification finds.</summary>
    public RightHolder Holder { get; set; } = new("1000001", "Camille", "Kit", 42.50m, 10, 1, null, "ACTIF", "NON_BLOQUE", 5, null, null, 0);

    /// <inheritdoc />
    public Task<RightHolder> FindBySupportAsync(string pointOfSale, string idSupport, string numeroApplicatif, CancellationToken cancellationToken) =>
        AnswerAsync(() => Holder, cancellationToken);

    /// <inheritdoc />
    public Task<RightHolder> FindByQrCodeAsync(string pointOfSale, string scannedText, CancellationToken cancellationToken) =>
        AnswerAsync(() => Holder, cancellationToken);

    /// <inheritdoc />
    public Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken) =>
        AnswerAsync(() => new DebitResult("KIT-" + request.ClientOrderId, IzlyOperationStatus.Completed, Holder.Balance - request.Amount, Time.GetUtcNow()), cancellationToken);

    /// <inheritdoc />
    public Task<DebitResult?> GetDebitAsync(string pointOfSale, string clientOrderId, CancellationToken cancellationToken) =>
        AnswerAsync<DebitResult?>(() => null, cancellationToken);

    /// <inheritdoc />
    public Task<IzlyOperationStatus> CancelAsync(string pointOfSale, string idTransactionIzly, CancellationToken cancellationToken) =>
        AnswerAsync(() => IzlyOperationStatus.Refunded, cancellationToken);

    /// <inheritdoc />
    public Task<WebPaymentStarted> StartWebPaymentAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken) =>
        AnswerAsync(() => new WebPaymentStarted("OP-" + clientOrderId, new Uri("http://127.0.0.1/izlypay/OP-" + Uri.EscapeDataString(clientOrderId))), cancellationToken);

    /// <inheritdoc />
    public Task<WebPaymentState> GetWebPaymentAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken) =>
        AnswerAsync(() => new WebPaymentState(operationId, IzlyOperationStatus.Completed, Holder.Identifier, null), cancellationToken);

    private async Task<T> AnswerAsync<T>(Func<T> answer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        switch (Behaviour)
        {
            case FakeGatewayBehaviour.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                throw new OperationCanceledException(cancellationToken);
            case FakeGatewayBehaviour.Refuse:
                throw new IzlyRefusedException(IzlyRefusal.UnknownHolder, "Unknown right holder (kit).");
            case FakeGatewayBehaviour.Unavailable:
                throw new IzlyUnavailableException("Izly unavailable (kit).");
            default:
                cancellationToken.ThrowIfCancellationRequested();
                return answer();
        }
    }
}
