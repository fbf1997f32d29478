using Middleware.Domain.Money;
using Middleware.Domain.Tickets;

namespace Middleware.Scripting.Globals;

/// <summary>What the host knows of a finished sale when it builds the VEM ticket.</summary>
public sealed record SaleForMapping
{
    public required string IdTicketEntete { get; init; }
    public required string NumeroTicket { get; init; }

    /// <summary>The ticket's date (local time of the point of sale, with its offset).</summary>
    public required DateTimeOffset Date { get; init; }

    public required string VersionLogiciel { get; init; }

    /// <summary>The priced lines (pricing script output).</summary>
    public required IReadOnlyList<PricedLine> Lines { get; init; }

    /// <summary>The single payment (<c>listeReglements</c> has exactly one element).</summary>
    public required VemPayment Payment { get; init; }

    public CustomerProfile? Customer { get; init; }

    /// <summary>Izly balance after the payment (<c>soldeClient</c>).</summary>
    public decimal? BalanceAfter { get; init; }

    /// <summary>1 on site, 2 take-away.</summary>
    public int? DistributionType { get; init; }

    public int? IdLogiciel { get; init; }
}

/// <summary>
/// The globals of a ticket-mapping script (<c>mapping.csx</c>): the statements run as the body of
/// <see cref="Execute"/> and end with <c>return new VemTicket { ... };</c>.
/// </summary>
public abstract class MappingScript
{
    public SaleForMapping Sale { get; private set; } = null!;
    public IPriceCatalog Catalog { get; private set; } = null!;
    public SiteSettings Site { get; private set; } = null!;

    /// <summary>Local time of the point of sale.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>
    /// The ticket the middleware's built-in mapping makes of this sale (already numbered and valid for the default
    /// rules): a site script may start from it (<c>return DefaultTicket with { ... };</c>) and change only what the
    /// site needs. Null only when the script runs outside the host (e.g. a test harness that gives none).
    /// </summary>
    public VemTicket? DefaultTicket { get; private set; }

    /// <summary>The rate of a VAT code, or a clear failure when unknown.</summary>
    public decimal VatRateOf(int codeTva) =>
        Catalog.VatRate(codeTva) ?? throw Fail($"VAT code {codeTva} is unknown: check the catalogue's VAT rates.");

    /// <summary>A ticket line from a priced line, HT computed by the spec's rule (crous-izly-api.md §4).</summary>
    public VemTicketLine TicketLine(int numeroLigne, PricedLine line)
    {
        var ht = Euro.HtFromTtc(line.UnitPriceTtc, VatRateOf(line.CodeTva));
        return new VemTicketLine
        {
            NumeroLigne = numeroLigne,
            CodeArticle = line.CodeArticle,
            Quantite = line.Quantity,
            CodeTva = line.CodeTva,
            PrixUnitaireTtc = line.UnitPriceTtc,
            PrixUnitaireHt = ht,
            TotalTtc = line.UnitPriceTtc * line.Quantity,
            TotalHt = ht * line.Quantity,
            GainFidelite = line.LoyaltyPoints,
        };
    }

    public ScriptRuleException Fail(string message) => new(message);

    /// <summary>The script's body.</summary>
    public abstract VemTicket Execute();

    internal void Bind(SaleForMapping sale, IPriceCatalog catalog, SiteSettings site, DateTimeOffset now, VemTicket? defaultTicket = null)
    {
        DefaultTicket = defaultTicket;
        Sale = sale;
        Catalog = catalog;
        Site = site;
        Now = now;
    }
}
