using Middleware.Domain.Tickets;

namespace Middleware.Scripting.Globals;

/// <summary>
/// The globals of a pricing script (<c>pricing.csx</c>): the script's statements run as the body of
/// <see cref="Execute"/>, so every public member here is a bare name in the script (<c>Basket</c>,
/// <c>Customer</c>, <c>Add(...)</c>). The script adds the ticket's lines; the host computes HT and totals.
/// </summary>
public abstract class PricingScript
{
    private readonly List<PricedLine> lines = [];
    private readonly List<string> notes = [];

    /// <summary>The basket to price.</summary>
    public Basket Basket { get; private set; } = new();

    /// <summary>The customer's profile.</summary>
    public CustomerProfile Customer { get; private set; } = CustomerProfile.AnonymousGuest;

    /// <summary>Prices, articles, VAT, entry fees and subsidies.</summary>
    public IPriceCatalog Catalog { get; private set; } = null!;

    /// <summary>The site's settings (<c>site.json</c>).</summary>
    public SiteSettings Site { get; private set; } = null!;

    /// <summary>Local time of the point of sale (never the machine's clock).</summary>
    public DateTimeOffset Now { get; private set; }

    public DateOnly Today => DateOnly.FromDateTime(Now.DateTime);

    public TimeOnly TimeOfDay => TimeOnly.FromDateTime(Now.DateTime);

    /// <summary>The intended <c>codeReglement</c> (4 CB, 9 Izly, 12 loyalty); null when the till did not say.</summary>
    public int? PaymentCode { get; private set; }

    public bool PaidByCard => PaymentCode == CodeReglement.Cb;

    /// <summary>The lines added so far.</summary>
    public IReadOnlyList<PricedLine> Lines => lines;

    public decimal TotalTtc => lines.Sum(l => l.TotalTtc);

    /// <summary>The customer's price of an article today; fails with a clear message when there is none.</summary>
    public decimal PriceOf(int codeArticle) =>
        TryPriceOf(codeArticle) ?? throw Fail($"Article {codeArticle} has no price for profile {Customer.CodeSociete}/{Customer.CodeTarif} on {Today:yyyy-MM-dd}: add it to the price list.");

    public decimal? TryPriceOf(int codeArticle) => Catalog.Price(codeArticle, Customer.CodeSociete, Customer.CodeTarif, Today);

    /// <summary>The article, or a clear failure when the catalogue does not know it.</summary>
    public ArticleInfo ArticleOf(int codeArticle) =>
        Catalog.Article(codeArticle) ?? throw Fail($"Article {codeArticle} is not in the catalogue.");

    /// <summary>
    /// The VAT code of an article for this customer, by the one rule the ticket and its validator follow too
    /// (<see cref="Domain.Tickets.LineVat"/>, crous-izly-api.md §4): the profile's own code (<c>societes-tarifs</c>) when
    /// it has one and the customer is not a student, else the article's. The means of payment does not change it.
    /// </summary>
    public int VatCodeOf(int codeArticle) =>
        Domain.Tickets.LineVat.CodeFor(ArticleOf(codeArticle).CodeTva, Customer.CodeSociete, Customer.CodeTarif,
            Catalog.ProfileVatCode(Customer.CodeSociete, Customer.CodeTarif));

    /// <summary>Adds a line. The label and VAT code default to the catalogue's.</summary>
    public PricedLine Add(int codeArticle, int quantity, decimal unitPriceTtc, int? codeTva = null, string? label = null, LineKind kind = LineKind.Article, int? loyaltyPoints = null)
    {
        if (quantity <= 0)
        {
            throw Fail($"Quantity {quantity} of article {codeArticle} must be at least 1.");
        }

        var line = new PricedLine
        {
            CodeArticle = codeArticle,
            Quantity = quantity,
            UnitPriceTtc = unitPriceTtc,
            CodeTva = codeTva ?? VatCodeOf(codeArticle),
            Label = label ?? Catalog.Article(codeArticle)?.Label ?? $"Article {codeArticle}",
            Kind = kind,
            LoyaltyPoints = loyaltyPoints,
        };
        lines.Add(line);
        return line;
    }

    /// <summary>Adds an entry fee as a line of its own (quantity 1, the fee's article).</summary>
    public PricedLine AddEntryFee(EntryFee fee) => Add(fee.CodeArticle, 1, fee.AmountTtc, kind: LineKind.EntryFee);

    /// <summary>Adds a subsidy as a line of its own: quantity 1, unit price = −<paramref name="amount"/>.</summary>
    public PricedLine AddSubsidy(int codeArticle, decimal amount, string? label = null)
    {
        if (amount <= 0)
        {
            throw Fail($"Subsidy {codeArticle} must have a positive amount (got {amount}); the line's price is its negative.");
        }

        return Add(codeArticle, 1, -amount, label: label, kind: LineKind.Subsidy);
    }

    /// <summary>Sets the loyalty points (<c>gainFidelite</c>) of a line already added.</summary>
    public void SetLoyaltyPoints(PricedLine line, int points)
    {
        var index = lines.IndexOf(line);
        if (index < 0)
        {
            throw Fail("SetLoyaltyPoints: the line was not added by Add(...).");
        }

        lines[index] = line with { LoyaltyPoints = points };
    }

    /// <summary>Removes every line (e.g. to re-price the basket as a set menu).</summary>
    public void ClearLines() => lines.Clear();

    /// <summary>Notes past this count are dropped: each note is a line of the host's log.</summary>
    public const int MaxNotes = 50;

    /// <summary>A longer note is cut to this many characters.</summary>
    public const int MaxNoteLength = 500;

    /// <summary>A note for the log (and the test harness output). At most <see cref="MaxNotes"/> notes of
    /// <see cref="MaxNoteLength"/> characters a call: a script must not be able to flood the host's log.</summary>
    public void Log(string message)
    {
        if (notes.Count < MaxNotes)
        {
            message ??= "";
            notes.Add(message.Length <= MaxNoteLength ? message : string.Concat(message.AsSpan(0, MaxNoteLength), "…"));
        }
        else if (notes.Count == MaxNotes)
        {
            notes.Add($"(further notes dropped: at most {MaxNotes} a call)");
        }
    }

    /// <summary>A rule failure: <c>throw Fail("...")</c>.</summary>
    public ScriptRuleException Fail(string message) => new(message);

    /// <summary>The script's body.</summary>
    public abstract void Execute();

    internal void Bind(Basket basket, CustomerProfile customer, IPriceCatalog catalog, SiteSettings site, DateTimeOffset now, int? paymentCode)
    {
        Basket = basket;
        Customer = customer;
        Catalog = catalog;
        Site = site;
        Now = now;
        PaymentCode = paymentCode;
    }

    internal IReadOnlyList<string> Notes => notes;
}
