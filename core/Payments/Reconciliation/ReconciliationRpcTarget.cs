using Middleware.Domain.Rpc;

namespace Middleware.Payments.Reconciliation;

/// <summary>The reconciliation of a closing, for operators.</summary>
internal sealed class ReconciliationRpcTarget(ReconciliationService reconciliation) : IRpcTarget
{
    /// <summary>Checks a day closing against Izly's operations and VEM's acceptance; journals and answers the result.</summary>
    [RpcMethod("reconciliation.run", Operator = true)]
    public Task<ReconciliationReport> RunAsync(string closingId, CancellationToken cancellationToken = default) =>
        reconciliation.RunAsync(closingId, cancellationToken);
}
