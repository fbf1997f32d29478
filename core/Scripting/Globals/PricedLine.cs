using Middleware.Domain.Money;

namespace Middleware.Scripting.Globals;

/// <summary>What a priced line is, for tills and ticket mapping.</summary>
public enum LineKind
{
    Article,
    SetMenu,
    EntryFee,
    Subsidy,
}

/// <summary>A priced line: what the till shows and what the ticket's line will be.</summary>
public sealed record PricedLine
{
    public required int CodeArticle { get; init; }
    public required string Label { get; init; }
    public required int Quantity { get; init; }

    /// <summary>Unit price TTC in euros (negative for a subsidy).</summary>
    public required decimal UnitPriceTtc { get; init; }

    /// <summary>The <c>codeTva</c> of this line.</summary>
    public required int CodeTva { get; init; }

    public LineKind Kind { get; init; } = LineKind.Article;

    /// <summary>Loyalty points earned (<c>gainFidelite</c>); null when none.</summary>
    public int? LoyaltyPoints { get; init; }

    /// <summary>The VAT rate of <see cref="CodeTva"/> in percent, filled by the host after the script.</summary>
    public decimal VatRate { get; init; }

    public decimal TotalTtc => UnitPriceTtc * Quantity;

    /// <summary>HT unit price: round(TTC / (1 + rate/100), 2, half away from zero) (crous-izly-api.md §4).</summary>
    public decimal UnitPriceHt => Euro.HtFromTtc(UnitPriceTtc, VatRate);

    /// <summary>HT total: unit HT × quantity, no re-rounding.</summary>
    public decimal TotalHt => UnitPriceHt * Quantity;
}

/// <summary>The outcome of the pricing script: the ticket's lines, totals and the script's notes.</summary>
public sealed record PricingResult
{
    public required IReadOnlyList<PricedLine> Lines { get; init; }
    public decimal TotalTtc => Lines.Sum(l => l.TotalTtc);
    public decimal TotalHt => Lines.Sum(l => l.TotalHt);
    public int LoyaltyPoints => Lines.Sum(l => l.LoyaltyPoints ?? 0);

    /// <summary>Messages the script wrote with <c>Log(...)</c>.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Version hash of the script that priced.</summary>
    public string ScriptVersion { get; init; } = "";
}
