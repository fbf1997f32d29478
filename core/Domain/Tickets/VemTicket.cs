using System.Text.Json;
using System.Text.Json.Serialization;

namespace Middleware.Domain.Tickets;

// Wire shape of a VEM ticket: crous-izly-api.md §4. French field names are the spec's.

/// <summary>A till receipt as VEM receives it.</summary>
public sealed record VemTicket
{
    [JsonPropertyName("idTicketEntete")] public required string IdTicketEntete { get; init; }
    [JsonPropertyName("numeroTicket")] public required string NumeroTicket { get; init; }
    [JsonPropertyName("codeEvenement")] public string CodeEvenement { get; init; } = CodeEvenements.Sale;
    [JsonPropertyName("date")] public required DateTimeOffset Date { get; init; }
    [JsonPropertyName("versionLogiciel")] public required string VersionLogiciel { get; init; }
    [JsonPropertyName("listeLignes")] public required IReadOnlyList<VemTicketLine> ListeLignes { get; init; }
    [JsonPropertyName("listeReglements")] public required IReadOnlyList<VemPayment> ListeReglements { get; init; }
    [JsonPropertyName("complementaire")] public VemComplement? Complementaire { get; init; }
}

/// <summary>One line of a ticket. Entry fees and subsidies are lines of their own (a subsidy has a negative unit price).</summary>
public sealed record VemTicketLine
{
    [JsonPropertyName("numeroLigne")] public required int NumeroLigne { get; init; }
    [JsonPropertyName("codeArticle")] public required int CodeArticle { get; init; }
    [JsonPropertyName("quantite")] public required int Quantite { get; init; }
    [JsonPropertyName("codeTva")] public required int CodeTva { get; init; }
    [JsonPropertyName("prixUnitaireHt")] public required decimal PrixUnitaireHt { get; init; }
    [JsonPropertyName("prixUnitaireTtc")] public required decimal PrixUnitaireTtc { get; init; }
    [JsonPropertyName("totalHt")] public required decimal TotalHt { get; init; }
    [JsonPropertyName("totalTtc")] public required decimal TotalTtc { get; init; }

    /// <summary>Loyalty points earned by this line [designed]; their sum is <c>cumulPointsFidelite</c>.</summary>
    [JsonPropertyName("gainFidelite")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? GainFidelite { get; init; }
}

/// <summary>Event codes of <c>codeEvenement</c>.</summary>
public static class CodeEvenements
{
    /// <summary>A sale (<c>VT</c>, the only code of the VEM specification).</summary>
    public const string Sale = "VT";

    /// <summary>[designed] A refund (<c>RB</c>, remboursement) of an earlier ticket of the same point of sale: its lines
    /// with negative quantities, a negative montant, and the link in <c>complementaire</c> (crous-izly-api.md §4).</summary>
    public const string Refund = "RB";
}

/// <summary>Payment codes of <c>codeReglement</c>.</summary>
public static class CodeReglement
{
    public const int Cb = 4;
    public const int Izly = 9;
    public const int Fidelite = 12;
}

/// <summary>The (single) payment of a ticket.</summary>
public sealed record VemPayment
{
    [JsonPropertyName("codeReglement")] public required int CodeReglement { get; init; }
    [JsonPropertyName("montant")] public required decimal Montant { get; init; }
    [JsonPropertyName("idSupport")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IdSupport { get; init; }
    [JsonPropertyName("qrCode")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? QrCode { get; init; }
    [JsonPropertyName("idTransactionIzly")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IdTransactionIzly { get; init; }
    [JsonPropertyName("numeroApplicatif")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? NumeroApplicatif { get; init; }
}

/// <summary>Customer and context data of a ticket (<c>complementaire</c>). Null fields are not sent.</summary>
public sealed record VemComplement
{
    [JsonPropertyName("codeClient")] public string? CodeClient { get; init; }
    [JsonPropertyName("soldeClient")] public decimal? SoldeClient { get; init; }
    [JsonPropertyName("cumulPointsFidelite")] public int? CumulPointsFidelite { get; init; }
    [JsonPropertyName("soldePointsFidelite")] public int? SoldePointsFidelite { get; init; }
    [JsonPropertyName("nomClient")] public string? NomClient { get; init; }
    [JsonPropertyName("dateFinValiditeClient")] public DateTimeOffset? DateFinValiditeClient { get; init; }
    [JsonPropertyName("codeSocieteClient")] public int? CodeSocieteClient { get; init; }
    [JsonPropertyName("tarifClient")] public int? TarifClient { get; init; }
    [JsonPropertyName("codeCrousClient")] public int? CodeCrousClient { get; init; }
    [JsonPropertyName("rneEtablissement")] public string? RneEtablissement { get; init; }
    [JsonPropertyName("affectation")] public string? Affectation { get; init; }
    [JsonPropertyName("adresseMail")] public string? AdresseMail { get; init; }
    [JsonPropertyName("idSupport")] public string? IdSupport { get; init; }

    /// <summary>1 on site, 2 take-away (3 delivered is not in service and never sent).</summary>
    [JsonPropertyName("idTypeDistribution")] public int? IdTypeDistribution { get; init; }
    [JsonPropertyName("idLogiciel")] public int? IdLogiciel { get; init; }

    /// <summary>[designed] A refund ticket (<c>RB</c>): the <c>idTicketEntete</c> of the ticket it refunds.</summary>
    [JsonPropertyName("idTicketEnteteOrigine")] public string? IdTicketEnteteOrigine { get; init; }

    /// <summary>[designed] A refund ticket (<c>RB</c>): the <c>numeroTicket</c> of the ticket it refunds.</summary>
    [JsonPropertyName("numeroTicketOrigine")] public string? NumeroTicketOrigine { get; init; }
}

/// <summary>The JSON options of the VEM wire format.</summary>
public static class VemJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
