using System.Globalization;
using Middleware.Domain.Money;
using Middleware.Domain.Reference;

namespace Middleware.Domain.Tickets;

/// <summary>Stable ids of the ticket coherence rules (crous-izly-api.md §4 and crous-specification.md §9, the spec's "Règles métiers").
/// Tills, logs and the sandbox's 422 (-70) messages name them; never rename one.</summary>
public static class TicketRules
{
    public const string HeaderIdTicketEntete = "HEADER_ID_TICKET_ENTETE";
    public const string HeaderNumeroTicket = "HEADER_NUMERO_TICKET";
    public const string HeaderCodeEvenement = "HEADER_CODE_EVENEMENT";
    public const string HeaderDate = "HEADER_DATE";
    public const string HeaderVersionLogiciel = "HEADER_VERSION_LOGICIEL";
    public const string LinesRequired = "LINES_REQUIRED";
    public const string LineNumber = "LINE_NUMBER";
    public const string LineNumberUnique = "LINE_NUMBER_UNIQUE";
    public const string LineArticle = "LINE_ARTICLE";
    public const string LineQuantity = "LINE_QUANTITY";
    public const string LineVatCode = "LINE_VAT_CODE";
    public const string LineVatRateUnknown = "LINE_VAT_RATE_UNKNOWN";
    public const string LinePricePrecision = "LINE_PRICE_PRECISION";
    public const string LineUnitPriceHt = "LINE_UNIT_PRICE_HT";
    public const string LineTotalTtc = "LINE_TOTAL_TTC";
    public const string LineTotalHt = "LINE_TOTAL_HT";
    public const string LineLoyaltyGain = "LINE_LOYALTY_GAIN";
    public const string PaymentCount = "PAYMENT_COUNT";
    public const string PaymentCode = "PAYMENT_CODE";
    public const string PaymentAmount = "PAYMENT_AMOUNT";
    public const string PaymentIzlyTransaction = "PAYMENT_IZLY_TRANSACTION";
    public const string PaymentIzlyMeans = "PAYMENT_IZLY_MEANS";
    public const string PaymentNumeroApplicatif = "PAYMENT_NUMERO_APPLICATIF";
    public const string PaymentIzlyFieldsOnOtherCode = "PAYMENT_IZLY_FIELDS";
    public const string LoyaltyTotal = "LOYALTY_TOTAL";
    public const string DistributionType = "DISTRIBUTION_TYPE";
    public const string ClientIdSupport = "CLIENT_ID_SUPPORT";
    public const string ComplementIdLogiciel = "COMPLEMENT_ID_LOGICIEL";

    /// <summary>[designed] A refund (<c>RB</c>) names the ticket it refunds (<c>idTicketEnteteOrigine</c>, <c>numeroTicketOrigine</c>).</summary>
    public const string RefundOrigin = "REFUND_ORIGIN";

    /// <summary>[designed] A refund's montant is negative (money given back).</summary>
    public const string RefundAmount = "REFUND_AMOUNT";
}

/// <summary>One broken rule: its stable id, the line (<c>numeroLigne</c>, or null for ticket-level rules)
/// and an English explanation.</summary>
public sealed record TicketViolation(string Rule, int? Line, string Message)
{
    public override string ToString() => Line is { } l ? $"{Rule} (line {l}): {Message}" : $"{Rule}: {Message}";
}

/// <summary>The outcome of <see cref="VemTicketValidator.Validate"/>; valid when there is no violation.</summary>
public sealed record TicketValidationResult(IReadOnlyList<TicketViolation> Violations)
{
    public static TicketValidationResult Valid { get; } = new([]);

    public bool IsValid => Violations.Count == 0;

    /// <summary>The first violations, one per line of text, for error details (e.g. the 422 -70 message).</summary>
    public string Describe(int max = 5) =>
        IsValid ? "valid" : string.Join("; ", Violations.Take(max).Select(v => v.ToString()))
            + (Violations.Count > max ? $"; and {Violations.Count - max} more" : "");
}

/// <summary>
/// Checks every coherence rule of a VEM ticket (crous-izly-api.md §4). Pure and thread-safe: the commit path,
/// the sandbox server and tests share it, so the middleware never uploads a ticket VEM would refuse.
/// </summary>
public static class VemTicketValidator
{
    private const int IdTypeDistributionOnSite = 1;
    private const int IdTypeDistributionTakeAway = 2;

    /// <summary>All violations of <paramref name="ticket"/> against the reference data of <paramref name="catalog"/>.</summary>
    public static TicketValidationResult Validate(VemTicket ticket, IReferenceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(catalog);
        var violations = new List<TicketViolation>();
        void Add(string rule, int? line, string message) => violations.Add(new TicketViolation(rule, line, message));

        CheckHeader(ticket, Add);

        // Deserialized tickets may carry nulls despite 'required': treat them as empty.
        var lines = ticket.ListeLignes ?? [];
        var payments = ticket.ListeReglements ?? [];
        var complement = ticket.Complementaire;
        var payment = payments.Count == 1 ? payments[0] : null;

        if (payments.Count != 1)
        {
            Add(TicketRules.PaymentCount, null, $"A ticket has exactly one payment (listeReglements); found {payments.Count}.");
        }

        var refund = ticket.CodeEvenement == CodeEvenements.Refund;
        CheckLines(lines, catalog, complement, refund, Add);

        if (payment is not null)
        {
            CheckPayment(payment, complement, lines, Add);
        }

        CheckLoyalty(lines, complement, Add);

        if (complement?.IdLogiciel is null)
        {
            Add(TicketRules.ComplementIdLogiciel, null, "complementaire.idLogiciel is mandatory (VEM's caisse resource gives it).");
        }

        if (refund)
        {
            CheckRefund(complement, payment, Add);
        }

        if (complement?.IdTypeDistribution is { } distribution
            && distribution is not IdTypeDistributionOnSite and not IdTypeDistributionTakeAway)
        {
            Add(TicketRules.DistributionType, null,
                $"idTypeDistribution {distribution} is not sent: only 1 (on site) or 2 (take-away); 3 (delivered) is not in service.");
        }

        return violations.Count == 0 ? TicketValidationResult.Valid : new TicketValidationResult(violations);
    }

    private static void CheckHeader(VemTicket ticket, Action<string, int?, string> add)
    {
        if (string.IsNullOrWhiteSpace(ticket.IdTicketEntete))
        {
            add(TicketRules.HeaderIdTicketEntete, null, "idTicketEntete is mandatory.");
        }

        if (string.IsNullOrWhiteSpace(ticket.NumeroTicket))
        {
            add(TicketRules.HeaderNumeroTicket, null, "numeroTicket is mandatory.");
        }

        if (ticket.CodeEvenement is not (CodeEvenements.Sale or CodeEvenements.Refund))
        {
            add(TicketRules.HeaderCodeEvenement, null, $"codeEvenement must be \"VT\" (a sale) or \"RB\" (a refund); found \"{ticket.CodeEvenement}\".");
        }

        if (ticket.Date == default)
        {
            add(TicketRules.HeaderDate, null, "date is mandatory.");
        }

        if (string.IsNullOrWhiteSpace(ticket.VersionLogiciel))
        {
            add(TicketRules.HeaderVersionLogiciel, null, "versionLogiciel is mandatory.");
        }
    }

    // [designed] A refund links to the ticket it refunds and gives money back; its lines are checked with the others.
    private static void CheckRefund(VemComplement? complement, VemPayment? payment, Action<string, int?, string> add)
    {
        if (string.IsNullOrWhiteSpace(complement?.IdTicketEnteteOrigine) || string.IsNullOrWhiteSpace(complement.NumeroTicketOrigine))
        {
            add(TicketRules.RefundOrigin, null, "A refund (RB) names the ticket it refunds: complementaire.idTicketEnteteOrigine and numeroTicketOrigine.");
        }

        if (payment is not null && payment.Montant >= 0)
        {
            add(TicketRules.RefundAmount, null, $"A refund's montant is negative; found {Fmt(payment.Montant)}.");
        }
    }

    private static void CheckLines(IReadOnlyList<VemTicketLine> lines, IReferenceCatalog catalog, VemComplement? complement, bool refund, Action<string, int?, string> add)
    {
        if (lines.Count == 0)
        {
            add(TicketRules.LinesRequired, null, "A ticket has at least one line (listeLignes).");
            return;
        }

        var seen = new HashSet<int>();
        foreach (var line in lines)
        {
            if (line is null)
            {
                add(TicketRules.LineNumber, null, "A line is null.");
                continue;
            }

            var n = line.NumeroLigne;
            if (n < 1)
            {
                add(TicketRules.LineNumber, n, $"numeroLigne starts from 1; found {n}.");
            }
            else if (!seen.Add(n))
            {
                add(TicketRules.LineNumberUnique, n, $"numeroLigne {n} appears more than once in the ticket.");
            }

            if (!refund && line.Quantite < 1)
            {
                add(TicketRules.LineQuantity, n, $"quantite must be at least 1; found {line.Quantite}.");
            }
            else if (refund && line.Quantite > -1)
            {
                add(TicketRules.LineQuantity, n, $"A refund's (RB) quantite is negative (the refunded quantity); found {line.Quantite}.");
            }

            if (!catalog.ArticleExists(line.CodeArticle))
            {
                add(TicketRules.LineArticle, n, $"codeArticle {line.CodeArticle} does not exist in articles.");
            }
            else if (LineVat.CodeFor(line.CodeArticle, complement?.CodeSocieteClient, complement?.TarifClient, catalog) is { } vat && line.CodeTva != vat)
            {
                var why = vat != catalog.ArticleVatCode(line.CodeArticle) ? "the customer's societe/tarif VAT code (a non-student profile)" : "the article's VAT code";
                add(TicketRules.LineVatCode, n, $"codeTva {line.CodeTva} differs from {why} {vat}.");
            }

            if (HasMoreThanTwoDecimals(line.PrixUnitaireTtc) || HasMoreThanTwoDecimals(line.PrixUnitaireHt))
            {
                add(TicketRules.LinePricePrecision, n, "Unit prices are euros with at most two decimals.");
            }

            if (catalog.VatRate(line.CodeTva) is { } rate)
            {
                var expectedHt = Euro.HtFromTtc(line.PrixUnitaireTtc, rate);
                if (line.PrixUnitaireHt != expectedHt)
                {
                    add(TicketRules.LineUnitPriceHt, n,
                        $"prixUnitaireHt {Fmt(line.PrixUnitaireHt)} differs from round({Fmt(line.PrixUnitaireTtc)} / (1 + {Fmt(rate)}/100), 2) = {Fmt(expectedHt)}.");
                }
            }
            else
            {
                add(TicketRules.LineVatRateUnknown, n, $"codeTva {line.CodeTva} is not in the tva table.");
            }

            var expectedTtc = line.PrixUnitaireTtc * line.Quantite;
            if (line.TotalTtc != expectedTtc)
            {
                add(TicketRules.LineTotalTtc, n,
                    $"totalTtc {Fmt(line.TotalTtc)} differs from prixUnitaireTtc × quantite = {Fmt(expectedTtc)}.");
            }

            var expectedTotalHt = line.PrixUnitaireHt * line.Quantite;
            if (line.TotalHt != expectedTotalHt)
            {
                add(TicketRules.LineTotalHt, n,
                    $"totalHt {Fmt(line.TotalHt)} differs from prixUnitaireHt × quantite = {Fmt(expectedTotalHt)}.");
            }

            if (line.GainFidelite is < 0)
            {
                add(TicketRules.LineLoyaltyGain, n, $"gainFidelite cannot be negative; found {line.GainFidelite}.");
            }
        }
    }

    private static void CheckPayment(VemPayment payment, VemComplement? complement, IReadOnlyList<VemTicketLine> lines, Action<string, int?, string> add)
    {
        var total = lines.Where(l => l is not null).Sum(l => l.TotalTtc);
        if (payment.Montant != total)
        {
            add(TicketRules.PaymentAmount, null, $"The payment's montant {Fmt(payment.Montant)} differs from the lines' total {Fmt(total)}.");
        }

        switch (payment.CodeReglement)
        {
            case CodeReglement.Izly:
                CheckIzlyPayment(payment, complement, add);
                break;
            case CodeReglement.Cb or CodeReglement.Fidelite:
                if (payment.IdSupport is not null || payment.QrCode is not null || payment.IdTransactionIzly is not null)
                {
                    add(TicketRules.PaymentIzlyFieldsOnOtherCode, null,
                        $"idSupport, qrCode and idTransactionIzly belong to Izly payments (codeReglement 9), not {payment.CodeReglement}.");
                }

                break;
            default:
                add(TicketRules.PaymentCode, null, $"codeReglement {payment.CodeReglement} is not 4 (CB), 9 (Izly) or 12 (loyalty).");
                break;
        }
    }

    private static void CheckIzlyPayment(VemPayment payment, VemComplement? complement, Action<string, int?, string> add)
    {
        if (string.IsNullOrWhiteSpace(payment.IdTransactionIzly))
        {
            add(TicketRules.PaymentIzlyTransaction, null, "An Izly payment (codeReglement 9) needs idTransactionIzly.");
        }

        var hasSupport = !string.IsNullOrWhiteSpace(payment.IdSupport);
        var hasQr = !string.IsNullOrWhiteSpace(payment.QrCode);
        var hasClient = !string.IsNullOrWhiteSpace(complement?.CodeClient);
        if (hasSupport && hasQr)
        {
            add(TicketRules.PaymentIzlyMeans, null, "An Izly payment carries idSupport (card) or qrCode (QR), not both.");
        }
        else if (!hasSupport && !hasQr && !hasClient)
        {
            add(TicketRules.PaymentIzlyMeans, null,
                "An Izly payment needs idSupport (card) or qrCode (QR); an IzlyPay payment, with neither, needs complementaire.codeClient.");
        }

        if (hasSupport && string.IsNullOrWhiteSpace(payment.NumeroApplicatif))
        {
            add(TicketRules.PaymentNumeroApplicatif, null, "numeroApplicatif is mandatory when idSupport is given.");
        }

        // The seed: codeClient may be unknown for an Izly card payment, idSupport (complementaire) is then mandatory.
        if (hasSupport && !hasClient && string.IsNullOrWhiteSpace(complement?.IdSupport))
        {
            add(TicketRules.ClientIdSupport, null, "An Izly card payment without codeClient needs complementaire.idSupport.");
        }
    }

    private static void CheckLoyalty(IReadOnlyList<VemTicketLine> lines, VemComplement? complement, Action<string, int?, string> add)
    {
        var gains = lines.Where(l => l?.GainFidelite is not null).Sum(l => l.GainFidelite!.Value);
        var anyGain = lines.Any(l => l?.GainFidelite is not null);
        var cumul = complement?.CumulPointsFidelite;
        if ((anyGain || cumul is not null) && gains != (cumul ?? 0))
        {
            add(TicketRules.LoyaltyTotal, null,
                $"The lines' gainFidelite total {gains} differs from cumulPointsFidelite {(cumul is null ? "(absent)" : cumul.Value.ToString(CultureInfo.InvariantCulture))}.");
        }
    }

    private static bool HasMoreThanTwoDecimals(decimal value) => value != decimal.Round(value, 2);

    private static string Fmt(decimal value) => value.ToString("0.00####", CultureInfo.InvariantCulture);
}
