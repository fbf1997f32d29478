using System.Text.Json.Serialization;

namespace Middleware.Tickets.Closing;

/// <summary>
/// A closing: the totals of a day, month or year of one point of sale or of the whole host, final once journaled.
/// A day closing covers every ticket journaled since the scope's previous day closing (sales made after it belong to
/// the next one); a month closing sums the scope's day closings since its previous month closing; a year closing its
/// month closings. <see cref="GrandTotalTtc"/> runs on from the scope's first closing of the period kind, never reset.
/// </summary>
public sealed record ClosingReport
{
    [JsonPropertyName("id")] public required string Id { get; init; }

    /// <summary><c>day</c>, <c>month</c> or <c>year</c>.</summary>
    [JsonPropertyName("period")] public required string Period { get; init; }

    /// <summary>A point of sale id, or <c>host</c>.</summary>
    [JsonPropertyName("scope")] public required string Scope { get; init; }

    /// <summary>1, 2, 3… per scope and period kind.</summary>
    [JsonPropertyName("number")] public required long Number { get; init; }

    /// <summary>The business date (<c>2026-12-07</c>), month (<c>2026-12</c>) or year (<c>2026</c>) it closes.</summary>
    [JsonPropertyName("label")] public required string Label { get; init; }

    [JsonPropertyName("closedAt")] public required DateTimeOffset ClosedAt { get; init; }

    /// <summary>Who closed (the pipe account), or <c>host</c>.</summary>
    [JsonPropertyName("closedBy")] public required string ClosedBy { get; init; }

    /// <summary>The previous closing of the same scope and period (null for the first).</summary>
    [JsonPropertyName("previousId")] public string? PreviousId { get; init; }

    /// <summary>The journal entries covered: after <see cref="AfterSeq"/>, up to <see cref="ToSeq"/>.</summary>
    [JsonPropertyName("afterSeq")] public required long AfterSeq { get; init; }

    [JsonPropertyName("toSeq")] public required long ToSeq { get; init; }

    /// <summary>The period's start: the previous closing's time (null for the first).</summary>
    [JsonPropertyName("periodStart")] public DateTimeOffset? PeriodStart { get; init; }

    /// <summary>Sale tickets (VT).</summary>
    [JsonPropertyName("sales")] public required ClosingTotals Sales { get; init; }

    /// <summary>Refund tickets (RB), apart; their amounts are negative.</summary>
    [JsonPropertyName("refunds")] public required ClosingTotals Refunds { get; init; }

    /// <summary>Sales plus refunds, TTC.</summary>
    [JsonPropertyName("netTtc")] public required decimal NetTtc { get; init; }

    /// <summary>The perpetual total, TTC, of the scope's closings of this period kind, this one included.</summary>
    [JsonPropertyName("grandTotalTtc")] public required decimal GrandTotalTtc { get; init; }

    /// <summary>First and last ticket of each point of sale in the period.</summary>
    [JsonPropertyName("ticketRanges")] public required IReadOnlyList<TicketRange> TicketRanges { get; init; }

    /// <summary>What is not settled at the close: carried forward to the next closing until it is.</summary>
    [JsonPropertyName("openItems")] public required IReadOnlyList<OpenItem> OpenItems { get; init; }

    /// <summary>The closings this one sums (a host closing's point-of-sale closings; a month's days; a year's months).</summary>
    [JsonPropertyName("parts")] public IReadOnlyList<string> Parts { get; init; } = [];

    /// <summary>The journal key that signed it (print it on the report: the offline check of an archive pins it).</summary>
    [JsonPropertyName("keyId")] public required string KeyId { get; init; }

    /// <summary>The pipe request that made it: a retry of that request answers this closing again.</summary>
    [JsonPropertyName("requestId")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RequestId { get; init; }

    /// <summary>The closing's journal entry (set when read back from the journal).</summary>
    [JsonPropertyName("journalSeq")] public long? JournalSeq { get; init; }

    /// <summary>A host's month or year closing: the signed archive of the journal entries it covers (only in the answer
    /// to <c>closing.close</c>; null when it could not be written).</summary>
    [JsonPropertyName("archivePath")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ArchivePath { get; init; }
}

/// <summary>Counts and amounts of a set of tickets.</summary>
public sealed record ClosingTotals
{
    [JsonPropertyName("tickets")] public required int Tickets { get; init; }
    [JsonPropertyName("totalHt")] public required decimal TotalHt { get; init; }
    [JsonPropertyName("totalVat")] public required decimal TotalVat { get; init; }
    [JsonPropertyName("totalTtc")] public required decimal TotalTtc { get; init; }
    [JsonPropertyName("byPayment")] public required IReadOnlyList<PaymentTotal> ByPayment { get; init; }
    [JsonPropertyName("byVat")] public required IReadOnlyList<VatTotal> ByVat { get; init; }
    [JsonPropertyName("byProfile")] public required IReadOnlyList<ProfileTotal> ByProfile { get; init; }

    public static ClosingTotals Empty { get; } = new() { Tickets = 0, TotalHt = 0, TotalVat = 0, TotalTtc = 0, ByPayment = [], ByVat = [], ByProfile = [] };
}

/// <summary>Per <c>codeReglement</c> (4 CB, 9 Izly, 12 loyalty).</summary>
public sealed record PaymentTotal(
    [property: JsonPropertyName("codeReglement")] int CodeReglement,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("amount")] decimal Amount);

/// <summary>Per <c>codeTva</c>: the rate when the reference data knows it, and HT, VAT and TTC.</summary>
public sealed record VatTotal(
    [property: JsonPropertyName("codeTva")] int CodeTva,
    [property: JsonPropertyName("rate")] decimal? Rate,
    [property: JsonPropertyName("totalHt")] decimal TotalHt,
    [property: JsonPropertyName("totalVat")] decimal TotalVat,
    [property: JsonPropertyName("totalTtc")] decimal TotalTtc);

/// <summary>Per société/tarif of the customer (0/0 when the ticket names none).</summary>
public sealed record ProfileTotal(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("totalTtc")] decimal TotalTtc);

/// <summary>The first and last ticket of a point of sale in a period.</summary>
public sealed record TicketRange(
    [property: JsonPropertyName("pointOfSale")] string PointOfSale,
    [property: JsonPropertyName("firstIdTicketEntete")] string FirstIdTicketEntete,
    [property: JsonPropertyName("firstNumeroTicket")] string FirstNumeroTicket,
    [property: JsonPropertyName("lastIdTicketEntete")] string LastIdTicketEntete,
    [property: JsonPropertyName("lastNumeroTicket")] string LastNumeroTicket,
    [property: JsonPropertyName("count")] int Count);

/// <summary>
/// Something not settled at a close. <see cref="Kind"/>: <c>paymentUnknown</c> (an outcome nobody knows yet),
/// <c>refundUnknown</c>, <c>paidNoTicket</c> (money taken, ticket refused before the outbox), <c>ticketPending</c>
/// (not yet accepted by VEM), <c>ticketDead</c> (refused by VEM), <c>salePaying</c> (a payment under way).
/// </summary>
public sealed record OpenItem(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("pointOfSale")] string PointOfSale,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("amount")] decimal? Amount,
    [property: JsonPropertyName("since")] DateTimeOffset? Since,
    [property: JsonPropertyName("detail")] string Detail)
{
    /// <summary>The first closing of this scope that listed it (it was carried forward since), or null when new.</summary>
    [JsonPropertyName("carriedFrom")] public string? CarriedFrom { get; init; }
}

/// <summary>The open items the outbox does not know (payments and sales): implemented by the payments feature.</summary>
public interface IClosingOpenItemsSource
{
    /// <summary>Open payments and sales of <paramref name="pointOfSale"/> (all when null).</summary>
    Task<IReadOnlyList<OpenItem>> ListAsync(string? pointOfSale, CancellationToken cancellationToken);
}
