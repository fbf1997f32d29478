using System.Globalization;
using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Whiz;

namespace Middleware.Tickets.Rpc;

/// <summary>Till-protocol methods of tickets and the outbox. The point of sale is the calling till's. A till cannot commit a
/// ticket itself (security issue #18: it could forge an Izly payment): tickets are built by <c>sale.pay</c> from a sale the
/// middleware priced and a payment it recorded.</summary>
internal sealed class TicketsRpcTarget(ITicketService tickets, WhizQueue whiz, IUnticketedSalesCounter? unticketed = null) : IRpcTarget
{
    /// <summary>One ticket (with its VEM body) by <c>idTicketEntete</c> or by the requestId that committed it.</summary>
    [RpcMethod("tickets.status")]
    public async Task<TicketRecord> StatusAsync(string? idTicketEntete = null, string? ticketRequestId = null, CancellationToken cancellationToken = default)
    {
        var pos = TillContext.Required.PointOfSale;
        var record = idTicketEntete is not null
            ? await tickets.GetAsync(pos, ParseId(idTicketEntete), cancellationToken).ConfigureAwait(false)
            : ticketRequestId is not null
                ? await tickets.GetByRequestIdAsync(pos, ticketRequestId, cancellationToken).ConfigureAwait(false)
                : throw new MiddlewareException(ErrorCode.InvalidRequest, "Give idTicketEntete or ticketRequestId.");
        return record ?? throw new MiddlewareException(ErrorCode.TicketNotFound, $"No ticket {idTicketEntete ?? ticketRequestId} at {pos}.");
    }

    /// <summary>Pending/sent/dead counts, the age of the oldest pending ticket, and the paid sales without a ticket, of the
    /// till's point of sale; with <paramref name="allPointsOfSale"/> (an operator only), of every point of sale of the
    /// outbox (<c>mwctl outbox replay --all-dead --all-pos</c> finds the points of sale with dead tickets this way).</summary>
    [RpcMethod("outbox.status")]
    public async Task<OutboxStatus> OutboxStatusAsync(bool allPointsOfSale = false, CancellationToken cancellationToken = default)
    {
        var till = TillContext.Required;
        if (allPointsOfSale && !till.IsOperator)
        {
            throw new MiddlewareException(ErrorCode.OperatorOnly, "allPointsOfSale is for operator accounts: a till sees its own point of sale only.");
        }

        var pos = till.PointOfSale.ToString();
        var status = await tickets.GetOutboxStatusAsync(allPointsOfSale ? null : till.PointOfSale, cancellationToken).ConfigureAwait(false);
        if (unticketed is null)
        {
            return status;
        }

        var counts = await unticketed.CountByPointOfSaleAsync(cancellationToken).ConfigureAwait(false);
        if (allPointsOfSale)
        {
            var all = status.PointsOfSale.Select(p => p with { PaidNoTicket = counts.TryGetValue(p.PointOfSale, out var c) ? c : 0 }).ToList();
            all.AddRange(counts.Where(c => c.Value > 0 && all.All(p => p.PointOfSale != c.Key))
                .Select(c => new PointOfSaleOutboxStatus(c.Key, 0, 0, 0, null, null, null) { PaidNoTicket = c.Value }));
            return status with { PointsOfSale = all, PaidNoTicket = all.Sum(p => p.PaidNoTicket) };
        }

        var mine = counts.TryGetValue(pos, out var n) ? n : 0;
        var rows = status.PointsOfSale.Select(p => p.PointOfSale == pos ? p with { PaidNoTicket = mine } : p).ToList();
        if (mine > 0 && rows.All(p => p.PointOfSale != pos))
        {
            rows.Add(new PointOfSaleOutboxStatus(pos, 0, 0, 0, null, null, null) { PaidNoTicket = mine });
        }

        return status with { PointsOfSale = rows, PaidNoTicket = mine };
    }

    /// <summary>Tickets of the till's point of sale in a state (<c>Pending</c>, <c>Sent</c>, <c>Dead</c>; all when absent), oldest first.</summary>
    [RpcMethod("outbox.list")]
    public Task<IReadOnlyList<TicketRecord>> ListAsync(string? state = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        TicketState? parsed = state is null ? null
            : Enum.TryParse<TicketState>(state, ignoreCase: true, out var s) ? s
            : throw new MiddlewareException(ErrorCode.InvalidRequest, $"Unknown state '{state}' (Pending, Sent, Dead).");
        return tickets.ListAsync(TillContext.Required.PointOfSale, parsed, limit, cancellationToken);
    }

    /// <summary>One ticket in full: its record and VEM body, the sale it was mapped from, and its history (commit, each upload outcome with VEM's code and message, replays).</summary>
    [RpcMethod("outbox.show")]
    public async Task<TicketDetail> ShowAsync(string idTicketEntete, CancellationToken cancellationToken = default)
    {
        var pos = TillContext.Required.PointOfSale;
        return await tickets.GetDetailAsync(pos, ParseId(idTicketEntete), cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.TicketNotFound, $"No ticket {idTicketEntete} at {pos}.");
    }

    /// <summary>Sends a dead ticket again: as-is, or rebuilt from its sale by the current mapper (<paramref name="remap"/>).</summary>
    [RpcMethod("outbox.replay", Mutating = true, Operator = true)]
    public Task<TicketRecord> ReplayAsync(string requestId, string idTicketEntete, bool remap = false, CancellationToken cancellationToken = default) =>
        tickets.ReplayAsync(TillContext.Required.PointOfSale, ParseId(idTicketEntete), remap, cancellationToken);

    /// <summary>Sets the Whiz status of a take-away or online order (EN_PREPARATION, PRETE, SERVIE, ANNULEE); queued, never blocking.</summary>
    [RpcMethod("whiz.update", Mutating = true)]
    public async Task<WhizOrderRecord?> WhizUpdateAsync(string requestId, string idTicketEntete, string status, CancellationToken cancellationToken = default)
    {
        var pos = TillContext.Required.PointOfSale;
        await whiz.EnqueueStatusAsync(pos, ParseId(idTicketEntete), status, cancellationToken).ConfigureAwait(false);
        return await whiz.GetAsync(pos, ParseId(idTicketEntete), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Whiz order of a ticket: queued/created/failed, idCommande, numeroAppel, last status sent.</summary>
    [RpcMethod("whiz.status")]
    public async Task<WhizOrderRecord> WhizStatusAsync(string idTicketEntete, CancellationToken cancellationToken = default) =>
        await whiz.GetAsync(TillContext.Required.PointOfSale, ParseId(idTicketEntete), cancellationToken).ConfigureAwait(false)
        ?? throw new MiddlewareException(ErrorCode.TicketNotFound, $"Ticket {idTicketEntete} has no Whiz order.");

    private static long ParseId(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new MiddlewareException(ErrorCode.InvalidRequest, $"'{id}' is not an idTicketEntete.");
}
