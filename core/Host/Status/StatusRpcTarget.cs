using Middleware.Domain.Rpc;

namespace Middleware.Host.Status;

/// <summary>The status snapshot and the readers seen, over the pipe, for operators (<c>mwctl status</c>, <c>mwctl readers --all</c>).</summary>
internal sealed class StatusRpcTarget(StatusSnapshotService snapshots, SeenReaders readers) : IRpcTarget
{
    /// <summary>What the operator status page shows: plugins, readers, recent taps, outboxes, reference data, scripts,
    /// health, recent errors, today's totals; each part with its error when it failed.</summary>
    [RpcMethod("status.get", Operator = true)]
    public Task<StatusSnapshot> GetAsync(CancellationToken cancellationToken) => snapshots.GetAsync(cancellationToken);

    /// <summary>Every reader, terminal and serial port the host sees, configured or not, with the points of sale configured for it.</summary>
    [RpcMethod("readers.seen", Operator = true)]
    public Task<IReadOnlyList<SeenReader>> SeenAsync(CancellationToken cancellationToken) => readers.ListAsync(cancellationToken);
}
