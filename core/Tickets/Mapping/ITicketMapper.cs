using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Model;

namespace Middleware.Tickets.Mapping;

/// <summary>The numbers and header values a ticket gets at commit.</summary>
/// <param name="IdTicketEntete">Sequential per point of sale, from 1.</param>
/// <param name="NumeroTicket">Local <c>YYMMDD</c> + daily sequence without padding.</param>
/// <param name="Date">Commit time, in the point of sale's offset.</param>
/// <param name="VersionLogiciel">The <c>versionLogiciel</c> to send.</param>
/// <param name="IdLogiciel">The <c>idLogiciel</c> to send, when configured.</param>
public sealed record TicketIdentity(long IdTicketEntete, string NumeroTicket, DateTimeOffset Date, string VersionLogiciel, int? IdLogiciel);

/// <summary>Everything a mapper may read.</summary>
public sealed record TicketMappingContext(PointOfSaleId PointOfSale, TicketSale Sale, TicketIdentity Identity, IReferenceCatalog Catalog);

/// <summary>
/// Turns a sale into the VEM ticket (the seam for per-site mapping scripts). Called inside the commit, after the
/// numbers are allocated: it must be fast, pure and must not store anything. Its output is validated before it is
/// stored; an exception refuses that one sale and consumes no number.
/// </summary>
public interface ITicketMapper
{
    VemTicket Map(TicketMappingContext context);

    /// <summary>What maps this point of sale's tickets (a script's file, or the built-in mapping), named in the error
    /// a till gets when the mapped ticket is refused by validation.</summary>
    string MappedBy(PointOfSaleId pointOfSale) => "the built-in mapping";
}
