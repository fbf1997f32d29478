using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Tickets.Closing;
using Middleware.Tickets.Journal;

namespace Middleware.Tickets.Rpc;

/// <summary>Pipe methods of the sales journal and the closings. A till closes and reads its own point of sale's days;
/// the host's closings, months, years and the journal itself are an operator's.</summary>
internal sealed class JournalRpcTarget(JournalService journal, ClosingService closings) : IRpcTarget
{
    /// <summary>Closes a period. <paramref name="scope"/>: the till's point of sale by default; another point of sale or
    /// <c>host</c> (every point of sale, then the host) from an operator account only.</summary>
    [RpcMethod("closing.close", Mutating = true)]
    public Task<ClosingReport> CloseAsync(string requestId, string period = "day", string? scope = null, CancellationToken cancellationToken = default)
    {
        var till = TillContext.Required;
        var own = till.PointOfSale.ToString();
        scope ??= own;
        if (!till.IsOperator && (scope != own || period != "day"))
        {
            throw new MiddlewareException(ErrorCode.OperatorOnly, "A till closes its own day only; the host's closings, months and years are an operator's.");
        }

        // The request id is kept in the closing itself: a retry after a lost answer (even past a restart, or past the
        // pipe's own replay store) answers the same closing and closes nothing.
        return closings.CloseAsync(period, scope, till.Peer is { Length: > 0 } peer ? peer : till.TillName, $"{own}:{requestId}", cancellationToken);
    }

    /// <summary>Closings, newest first: the till's own point of sale's; any scope for an operator.</summary>
    [RpcMethod("closing.list")]
    public Task<IReadOnlyList<ClosingReport>> ListAsync(string? scope = null, string? period = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        var till = TillContext.Required;
        scope ??= till.IsOperator ? null : till.PointOfSale.ToString();
        Own(till, scope);
        return closings.ListAsync(scope, period, limit, cancellationToken);
    }

    /// <summary>One closing by its id (<c>day/5-1-9-8-14/3</c>).</summary>
    [RpcMethod("closing.get")]
    public async Task<ClosingReport> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var till = TillContext.Required;
        if (string.IsNullOrWhiteSpace(id) || id.Length > 200)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Give the closing's id (day/5-1-9-8-14/3).");
        }

        var report = await closings.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.InvalidRequest, $"No closing '{id}'.");
        Own(till, report.Scope);
        return report;
    }

    /// <summary>The journal's length, last hash, signing key and the last verification's result.</summary>
    [RpcMethod("journal.status", Operator = true)]
    public Task<JournalStatus> StatusAsync(CancellationToken cancellationToken) => journal.StatusAsync(cancellationToken);

    /// <summary>Verifies the whole journal now: chain, signatures (unless <paramref name="signatures"/> is false), head, outbox.</summary>
    [RpcMethod("journal.verify", Operator = true)]
    public Task<JournalVerification> VerifyAsync(bool signatures = true, CancellationToken cancellationToken = default) => journal.VerifyAsync(signatures, cancellationToken);

    /// <summary>Writes a signed archive of entries <paramref name="fromSeq"/>..<paramref name="toSeq"/> in the host's archive folder.</summary>
    [RpcMethod("journal.export", Operator = true)]
    public Task<JournalExport> ExportAsync(long fromSeq = 1, long? toSeq = null, string? fileName = null, CancellationToken cancellationToken = default) =>
        journal.ExportAsync(fromSeq, toSeq ?? long.MaxValue, fileName, cancellationToken);

    private static void Own(TillContext till, string? scope)
    {
        if (!till.IsOperator && scope != till.PointOfSale.ToString())
        {
            throw new MiddlewareException(ErrorCode.OperatorOnly, "A till reads its own point of sale's closings only.");
        }
    }
}
