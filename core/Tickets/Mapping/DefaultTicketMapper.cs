using Middleware.Domain.Money;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Model;

namespace Middleware.Tickets.Mapping;

/// <summary>
/// The built-in mapping (crous-izly-api.md §4): one VEM line per sale line, numbered from 1; VAT code = the one the
/// sale was priced with, else <see cref="LineVat"/>'s (the rule pricing follows); HT from TTC via <see cref="Euro.HtFromTtc"/>;
/// totals without re-rounding; one payment for the lines' total; every known customer field in <c>complementaire</c>.
/// </summary>
public sealed class DefaultTicketMapper : ITicketMapper
{
    public static DefaultTicketMapper Instance { get; } = new();

    public VemTicket Map(TicketMappingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return VemTicketBuilder.Build(context);
    }
}

/// <summary>The building blocks of <see cref="DefaultTicketMapper"/>, reusable by script mappers.</summary>
public static class VemTicketBuilder
{
    /// <summary>The whole ticket, the default way.</summary>
    public static VemTicket Build(TicketMappingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sale = context.Sale;
        var catalog = context.Catalog;
        var lines = new List<VemTicketLine>(sale.Lines.Count);
        for (var i = 0; i < sale.Lines.Count; i++)
        {
            lines.Add(Line(i + 1, sale.Lines[i], VatCode(sale, sale.Lines[i], catalog), catalog));
        }

        return new VemTicket
        {
            IdTicketEntete = context.Identity.IdTicketEntete.ToString(System.Globalization.CultureInfo.InvariantCulture),
            NumeroTicket = context.Identity.NumeroTicket,
            Date = context.Identity.Date,
            VersionLogiciel = context.Identity.VersionLogiciel,
            ListeLignes = lines,
            ListeReglements = [Payment(sale.Payment, lines.Sum(l => l.TotalTtc))],
            Complementaire = Complement(sale, lines, context.Identity.IdLogiciel),
        };
    }

    /// <summary>A line's VAT code: the one it was priced with (the till showed it), else <see cref="LineVat"/>'s for the
    /// sale's profile; null when the article is unknown (validation then names the line).</summary>
    public static int? VatCode(TicketSale sale, SaleLine line, IReferenceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(sale);
        ArgumentNullException.ThrowIfNull(line);
        return line.CodeTva ?? LineVat.CodeFor(line.CodeArticle, sale.Customer?.CodeSociete, sale.Customer?.Tarif, catalog);
    }

    /// <summary>One VEM line. An unknown article or VAT code keeps a 0 code/rate: validation then names the line.</summary>
    public static VemTicketLine Line(int numeroLigne, SaleLine line, int? codeTva, IReferenceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(catalog);
        var tva = codeTva ?? 0;
        var rate = catalog.VatRate(tva) ?? 0m;
        var ht = Euro.HtFromTtc(line.UnitPriceTtc, rate);
        return new VemTicketLine
        {
            NumeroLigne = numeroLigne,
            CodeArticle = line.CodeArticle,
            Quantite = line.Quantity,
            CodeTva = tva,
            PrixUnitaireTtc = line.UnitPriceTtc,
            PrixUnitaireHt = ht,
            TotalTtc = line.UnitPriceTtc * line.Quantity,
            TotalHt = ht * line.Quantity,
            GainFidelite = line.LoyaltyGain,
        };
    }

    public static VemPayment Payment(SalePayment payment, decimal amount)
    {
        ArgumentNullException.ThrowIfNull(payment);
        return new VemPayment
        {
            CodeReglement = payment.CodeReglement,
            Montant = amount,
            IdSupport = payment.IdSupport,
            QrCode = payment.QrCode,
            IdTransactionIzly = payment.IdTransactionIzly,
            NumeroApplicatif = payment.NumeroApplicatif,
        };
    }

    public static VemComplement? Complement(TicketSale sale, IReadOnlyList<VemTicketLine> lines, int? idLogiciel)
    {
        ArgumentNullException.ThrowIfNull(sale);
        var c = sale.Customer;
        var anyGain = lines.Any(l => l.GainFidelite is not null);
        var complement = new VemComplement
        {
            CodeClient = c?.CodeClient,
            SoldeClient = c?.BalanceAfter,
            CumulPointsFidelite = sale.LoyaltyPointsEarned ?? (anyGain ? lines.Sum(l => l.GainFidelite ?? 0) : null),
            SoldePointsFidelite = sale.LoyaltyBalance,
            NomClient = c?.Name,
            DateFinValiditeClient = c?.ValidUntil,
            CodeSocieteClient = c?.CodeSociete,
            TarifClient = c?.Tarif,
            CodeCrousClient = c?.CodeCrous,
            RneEtablissement = c?.Rne,
            Affectation = c?.Affectation,
            AdresseMail = c?.Email,
            // The spec wants idSupport in complementaire for a card payment; take it from the payment when the customer lacks it.
            IdSupport = c?.IdSupport ?? sale.Payment.IdSupport,
            IdTypeDistribution = sale.Distribution is { } d ? (int)d : null,
            IdLogiciel = idLogiciel,
        };
        return complement == Empty ? null : complement;
    }

    private static readonly VemComplement Empty = new();
}
