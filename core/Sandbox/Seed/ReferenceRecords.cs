using System.Text.Json.Serialization;

namespace Middleware.Sandbox.Seed;

// Wire records of the VEM reference resources (crous-izly-api.md §3), as the sandbox serves them.

/// <summary>A VAT code (<c>tva</c>).</summary>
public sealed record VemTva(
    [property: JsonPropertyName("codeTva")] int CodeTva,
    [property: JsonPropertyName("taux")] decimal Taux,
    [property: JsonPropertyName("libelle")] string Libelle);

/// <summary>An article (<c>articles</c>).</summary>
public sealed record VemArticle(
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("libelle")] string Libelle,
    [property: JsonPropertyName("codeTva")] int CodeTva,
    [property: JsonPropertyName("codeFamille")] int CodeFamille,
    [property: JsonPropertyName("actif")] bool Actif,
    [property: JsonPropertyName("versBornesPrepaiement")] bool VersBornesPrepaiement);

/// <summary>A societe (<c>societes</c>): 10 students, 8000 guests, 8024 online ordering.</summary>
public sealed record VemSociete(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("libelle")] string Libelle);

/// <summary>A profile (<c>societes-tarifs</c>) and the VAT code applied to it when it pays by CB.</summary>
public sealed record VemSocieteTarif(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("libelle")] string Libelle,
    [property: JsonPropertyName("codeTva")] int CodeTva);

/// <summary>A price period (<c>periodes</c>).</summary>
public sealed record VemPeriode(
    [property: JsonPropertyName("idPeriode")] int IdPeriode,
    [property: JsonPropertyName("dateDebut")] DateTimeOffset DateDebut,
    [property: JsonPropertyName("dateFin")] DateTimeOffset DateFin);

/// <summary>A profile active in a period (<c>societes-tarifs-periode</c>).</summary>
public sealed record VemSocieteTarifPeriode(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("idPeriode")] int IdPeriode);

/// <summary>A price (<c>articles-societes-tarifs-periodes</c>).</summary>
public sealed record VemPrix(
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("idPeriode")] int IdPeriode,
    [property: JsonPropertyName("prixTtc")] decimal PrixTtc);

/// <summary>An entry-fee type (<c>droits-entree-types</c>).</summary>
public sealed record VemDroitEntreeType(
    [property: JsonPropertyName("codeType")] int CodeType,
    [property: JsonPropertyName("libelle")] string Libelle);

/// <summary>An entry fee (<c>droits-entree</c>), sold as a line of its own with <c>codeArticle</c>.</summary>
public sealed record VemDroitEntree(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("codeType")] int CodeType,
    [property: JsonPropertyName("montantTtc")] decimal MontantTtc,
    [property: JsonPropertyName("codeArticle")] int CodeArticle);

/// <summary>A subsidy (<c>subventions</c>), a line of its own with a negative unit price of <c>montant</c>.</summary>
public sealed record VemSubvention(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("montant")] decimal Montant,
    [property: JsonPropertyName("libelle")] string Libelle);
