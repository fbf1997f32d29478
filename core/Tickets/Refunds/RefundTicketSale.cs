using System.Security.Cryptography;
using System.Text;
using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Model;

namespace Middleware.Tickets.Refunds;

/// <summary>What the outbox commits for the refund of a committed sale ticket, and the request id that makes that
/// commit idempotent (a retry, a second caller or the recovery pass after a crash all find the same refund ticket).</summary>
public static class RefundTicketSale
{
    /// <summary>The refund of <paramref name="origin"/> (a sale ticket of this outbox, with its stored sale).</summary>
    public static TicketSale For(TicketDetail origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var ticket = origin.Record.Ticket ?? throw new InvalidOperationException("A ticket detail lost its body.");
        if (ticket.CodeEvenement != CodeEvenements.Sale || origin.Sale.Refund is not null)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, $"Ticket {origin.Record.IdTicketEntete} is a refund: only a sale ticket is refunded.");
        }

        var sale = origin.Sale;
        return sale with
        {
            Lines = [.. sale.Lines.Select(l => l with { Quantity = -l.Quantity, LoyaltyGain = null })],
            Customer = sale.Customer is null ? null : sale.Customer with { BalanceAfter = null },
            LoyaltyPointsEarned = null,
            LoyaltyBalance = null,
            OnlineOrder = false, // nothing for the kitchen; uploaded as a till ticket
            Refund = new RefundOrigin { IdTicketEntete = origin.Record.IdTicketEntete, NumeroTicket = origin.Record.NumeroTicket, Ticket = ticket },
        };
    }

    /// <summary>
    /// The refund ticket's request id, derived from the refunded ticket's (a UUID, as every request id is): the same sale
    /// always gets the same refund ticket, whoever commits it and however often.
    /// </summary>
    public static string RequestIdFor(string saleTicketRequestId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(saleTicketRequestId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("refund-ticket:" + saleTicketRequestId));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (RFC 9562: name-based, custom hash)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
