using System.Text.Json.Serialization;

namespace Middleware.Tickets.Model;

/// <summary>What a line stands for. Entry fees and subsidies are lines of their own (crous-izly-api.md §4).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SaleLineKind>))]
public enum SaleLineKind
{
    Article,
    EntryFee,
    Subsidy,
}

/// <summary>Where the meal is eaten (<c>idTypeDistribution</c>); "delivered" (3) is not in service and does not exist here.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Distribution>))]
public enum Distribution
{
    OnSite = 1,
    TakeAway = 2,
}

/// <summary>One line of a sale as priced by the middleware (TTC unit price in euros).</summary>
public sealed record SaleLine
{
    public required int CodeArticle { get; init; }
    public int Quantity { get; init; } = 1;

    /// <summary>TTC unit price in euros; negative for a subsidy.</summary>
    public required decimal UnitPriceTtc { get; init; }

    public SaleLineKind Kind { get; init; } = SaleLineKind.Article;

    /// <summary>The <c>codeTva</c> the sale was priced with (what the till showed); null: the ticket mapping gives the
    /// line its code by <see cref="Domain.Tickets.LineVat"/>, the rule pricing follows too.</summary>
    public int? CodeTva { get; init; }

    /// <summary>Label for the kitchen display (Whiz); not sent to VEM.</summary>
    public string? Label { get; init; }

    /// <summary>Kitchen comment (Whiz); not sent to VEM.</summary>
    public string? Comment { get; init; }

    /// <summary>Loyalty points earned by this line.</summary>
    public int? LoyaltyGain { get; init; }

    /// <summary>An entry fee line (<c>droits-entree</c>) with its own article.</summary>
    public static SaleLine EntryFee(int codeArticle, decimal amountTtc) => new() { CodeArticle = codeArticle, UnitPriceTtc = amountTtc, Kind = SaleLineKind.EntryFee };

    /// <summary>A subsidy line (<c>subventions</c>): quantity 1, negative unit price of <paramref name="amountTtc"/>.</summary>
    public static SaleLine Subsidy(int codeArticle, decimal amountTtc) => new() { CodeArticle = codeArticle, UnitPriceTtc = -Math.Abs(amountTtc), Quantity = 1, Kind = SaleLineKind.Subsidy };
}

/// <summary>The payment of a sale (<c>listeReglements</c>, one element); its amount is the lines' total.</summary>
public sealed record SalePayment
{
    /// <summary><c>codeReglement</c>: 4 CB, 9 Izly, 12 loyalty (see <see cref="Domain.Tickets.CodeReglement"/>).</summary>
    public required int CodeReglement { get; init; }

    /// <summary>Izly card support id (card payments).</summary>
    public string? IdSupport { get; init; }

    /// <summary>The Izly QR code (QR payments).</summary>
    public string? QrCode { get; init; }

    /// <summary>Izly operation id (card, QR, IzlyPay).</summary>
    public string? IdTransactionIzly { get; init; }

    /// <summary>Card application number (with <see cref="IdSupport"/>).</summary>
    public string? NumeroApplicatif { get; init; }
}

/// <summary>The Izly customer as the middleware knows them after payment; every known field goes to <c>complementaire</c>.</summary>
public sealed record SaleCustomer
{
    public string? CodeClient { get; init; }
    public string? Name { get; init; }

    /// <summary>Balance after the payment, euros (<c>soldeClient</c>).</summary>
    public decimal? BalanceAfter { get; init; }

    public DateTimeOffset? ValidUntil { get; init; }
    public int? CodeSociete { get; init; }
    public int? Tarif { get; init; }
    public int? CodeCrous { get; init; }
    public string? Rne { get; init; }
    public string? Affectation { get; init; }
    public string? Email { get; init; }

    /// <summary>Card support id; mandatory for a card payment whose client is unknown.</summary>
    public string? IdSupport { get; init; }
}

/// <summary>
/// A finished sale as the domain knows it: priced lines, the payment, the customer. The ticket mapper turns it
/// into a <see cref="Domain.Tickets.VemTicket"/> once numbers are allocated.
/// </summary>
public sealed record TicketSale
{
    public required IReadOnlyList<SaleLine> Lines { get; init; }
    public required SalePayment Payment { get; init; }
    public SaleCustomer? Customer { get; init; }

    /// <summary><c>cumulPointsFidelite</c> (points earned) when loyalty is used; default: the lines' gains total when any.</summary>
    public int? LoyaltyPointsEarned { get; init; }

    /// <summary><c>soldePointsFidelite</c>: loyalty balance after the sale.</summary>
    public int? LoyaltyBalance { get; init; }

    public Distribution? Distribution { get; init; }

    /// <summary>An online order (IzlyPay, kiosk): uploaded with <c>versCommandeEnLigne=1</c> and pushed to Whiz.</summary>
    public bool OnlineOrder { get; init; }

    /// <summary>[designed] Set on the refund of an earlier ticket: the ticket is then an <c>RB</c> built from the
    /// refunded ticket (<see cref="Refunds.RefundTicketMapper"/>), not mapped from the lines.</summary>
    public RefundOrigin? Refund { get; init; }
}

/// <summary>The ticket a refund gives back: its numbers and its body as VEM received it (crous-izly-api.md §4, RB).</summary>
public sealed record RefundOrigin
{
    public required string IdTicketEntete { get; init; }
    public required string NumeroTicket { get; init; }

    /// <summary>The refunded ticket's body as stored in the outbox: its lines and payment are given back as they were.</summary>
    public required Domain.Tickets.VemTicket Ticket { get; init; }
}
