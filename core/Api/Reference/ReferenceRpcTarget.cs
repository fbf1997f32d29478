using Middleware.Domain.Rpc;

namespace Middleware.Api.Reference;

/// <summary>Till-protocol methods of the reference store, for the calling till's point of sale.</summary>
public sealed class ReferenceRpcTarget(IReferenceStore store) : IRpcTarget
{
    /// <summary>Syncs now. Not mutating for the till protocol: it only refreshes a cache, repeating it is harmless.
    /// Answers the outcome and the data's age; a failure leaves the previous data served.</summary>
    [RpcMethod("reference.sync", Mutating = false)]
    public Task<ReferenceSyncResult> SyncAsync(CancellationToken cancellationToken) =>
        store.SyncAsync(TillContext.Required.PointOfSale, cancellationToken);

    /// <summary>The age of the data (last successful sync, last error, row counts).</summary>
    [RpcMethod("reference.status", Mutating = false)]
    public ReferenceStatus Status() => store.GetStatus(TillContext.Required.PointOfSale);
}
