using System.Collections.Concurrent;
using Middleware.Contracts.Channels;

namespace Middleware.Payments.Tests.Journal;

/// <summary>An in-memory Izly for unit tests: idempotent debits by client order id, like the real API (§5).</summary>
internal sealed class FakeIzly(TimeProvider time) : IIzlyGateway
{
    private readonly ConcurrentDictionary<string, DebitResult> _debits = new();
    private readonly ConcurrentDictionary<string, decimal> _amounts = new();
    private int _next = 1000;

    public decimal Balance { get; set; } = 20m;
    public int DebitCalls;
    public int StatusCalls;

    /// <summary>Commit the debit, then lose the answer (as a dropped connection would).</summary>
    public bool DropAnswerAfterCommit { get; set; }

    /// <summary>Never answer (until cancelled), without committing.</summary>
    public bool Hang { get; set; }

    public bool StatusUnavailable { get; set; }

    public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyDictionary<string, DebitResult> Debits => _debits;

    public async Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref DebitCalls);
        Called.TrySetResult();
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var result = _debits.GetOrAdd(request.ClientOrderId, _ =>
        {
            if (Balance < request.Amount)
            {
                throw new IzlyRefusedException(IzlyRefusal.InsufficientBalance, "Solde insuffisant", Balance);
            }

            Balance -= request.Amount;
            _amounts[request.ClientOrderId] = request.Amount;
            return new DebitResult(Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture), IzlyOperationStatus.Completed, Balance, time.GetUtcNow());
        });
        return DropAnswerAfterCommit ? throw new IzlyUnavailableException("connection reset") : result;
    }

    public Task<DebitResult?> GetDebitAsync(string pointOfSale, string clientOrderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref StatusCalls);
        if (StatusUnavailable)
        {
            throw new IzlyUnavailableException("down");
        }

        return Task.FromResult(_debits.TryGetValue(clientOrderId, out var r) ? r : null);
    }

    public int CancelCalls;

    /// <summary>Refund, then lose the answer (as a dropped connection would).</summary>
    public bool DropCancelAnswerAfterCommit { get; set; }

    /// <summary>The refund never reaches Izly: the call fails as an unreachable Izly would.</summary>
    public bool CancelUnavailable { get; set; }

    public Task<IzlyOperationStatus> CancelAsync(string pointOfSale, string idTransactionIzly, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref CancelCalls);
        if (CancelUnavailable)
        {
            throw new IzlyUnavailableException("down");
        }

        var entry = _debits.Single(d => d.Value.IdTransactionIzly == idTransactionIzly);
        if (entry.Value.Status != IzlyOperationStatus.Cancelled)
        {
            Balance += _amounts[entry.Key];
            _debits[entry.Key] = entry.Value with { Status = IzlyOperationStatus.Cancelled };
        }

        return DropCancelAnswerAfterCommit ? throw new IzlyUnavailableException("connection reset") : Task.FromResult(IzlyOperationStatus.Cancelled);
    }

    public Task<RightHolder> FindBySupportAsync(string pointOfSale, string idSupport, string numeroApplicatif, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<RightHolder> FindByQrCodeAsync(string pointOfSale, string scannedText, CancellationToken cancellationToken) => throw new NotSupportedException();

    // IzlyPay web payments, keyed by operation id as Izly keys them: the debit search by client order id
    // (GetDebitAsync) does not find them, as with the real API and the sandbox.
    private readonly ConcurrentDictionary<string, WebOperation> _webPayments = new();
    public int WebStatusCalls;

    /// <summary>The verification call fails as an unreachable Izly would.</summary>
    public bool WebStatusUnavailable { get; set; }

    public IReadOnlyDictionary<string, WebOperation> WebPayments => _webPayments;

    /// <summary>Starting a web payment fails as an unreachable Izly would.</summary>
    public bool WebStartUnavailable { get; set; }

    /// <summary>Starting a web payment never answers (the host dies meanwhile); <see cref="WebStartCalled"/> says it began.</summary>
    public bool WebStartHangs { get; set; }

    public TaskCompletionSource WebStartCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<WebPaymentStarted> StartWebPaymentAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken)
    {
        WebStartCalled.TrySetResult();
        if (WebStartUnavailable)
        {
            throw new IzlyUnavailableException("down");
        }

        if (WebStartHangs)
        {
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }

        var operationId = "op-" + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _webPayments[operationId] = new WebOperation(clientOrderId, amount, IzlyOperationStatus.Waiting, null);
        return new WebPaymentStarted(operationId, new Uri("https://izly.test/pay/" + operationId));
    }

    public Task<WebPaymentState> GetWebPaymentAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref WebStatusCalls);
        if (WebStatusUnavailable)
        {
            throw new IzlyUnavailableException("down");
        }

        var operation = _webPayments[operationId];
        return Task.FromResult(new WebPaymentState(operationId, operation.Status, operation.ClientCode, null));
    }

    /// <summary>The customer confirms on Izly's page: the operation is paid.</summary>
    public void ConfirmWebPayment(string operationId, string clientCode) =>
        _webPayments[operationId] = _webPayments[operationId] with { Status = IzlyOperationStatus.Completed, ClientCode = clientCode };

    public sealed record WebOperation(string ClientOrderId, decimal Amount, IzlyOperationStatus Status, string? ClientCode);
}
