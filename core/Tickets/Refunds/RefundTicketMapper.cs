using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;

namespace Middleware.Tickets.Refunds;

/// <summary>
/// [designed] The refund ticket (<c>RB</c>, crous-izly-api.md §4): the refunded ticket's lines as VEM received them, with
/// negative quantities and totals (unit prices and VAT codes unchanged), its one payment with the original
/// <c>codeReglement</c> and Izly ids and a negative montant, and the link to it in <c>complementaire</c>. Built from the
/// stored body rather than mapped again, so a site's mapping script or a reference change since cannot make the refund
/// differ from the sale it cancels.
/// </summary>
public static class RefundTicketMapper
{
    public static VemTicket Map(RefundOrigin origin, TicketIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(identity);
        var sold = origin.Ticket;
        if (sold.ListeReglements is not [var payment] || sold.ListeLignes is not { Count: > 0 })
        {
            throw new MiddlewareException(ErrorCode.TicketInvalid, $"Ticket {origin.IdTicketEntete} has no lines or not exactly one payment: it cannot be refunded.");
        }

        // Loyalty points are not taken back [designed]: a gainFidelite is never negative.
        var lines = sold.ListeLignes.Select(l => l with { Quantite = -l.Quantite, TotalTtc = -l.TotalTtc, TotalHt = -l.TotalHt, GainFidelite = null }).ToList();
        var complement = (sold.Complementaire ?? new VemComplement()) with
        {
            SoldeClient = null, // the balance after the sale; the refund's is not known here
            CumulPointsFidelite = null,
            SoldePointsFidelite = null,
            IdLogiciel = identity.IdLogiciel,
            IdTicketEnteteOrigine = origin.IdTicketEntete,
            NumeroTicketOrigine = origin.NumeroTicket,
        };
        return new VemTicket
        {
            IdTicketEntete = identity.IdTicketEntete.ToString(System.Globalization.CultureInfo.InvariantCulture),
            NumeroTicket = identity.NumeroTicket,
            CodeEvenement = CodeEvenements.Refund,
            Date = identity.Date,
            VersionLogiciel = identity.VersionLogiciel,
            ListeLignes = lines,
            ListeReglements = [payment with { Montant = lines.Sum(l => l.TotalTtc) }],
            Complementaire = complement,
        };
    }
}
