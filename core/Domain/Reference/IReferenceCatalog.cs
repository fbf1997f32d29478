namespace Middleware.Domain.Reference;

/// <summary>
/// The reference data that ticket validation and pricing read (VEM resources of crous-izly-api.md §3),
/// as the reference-data store holds it. Implementations are read-only snapshots or views over the store.
/// </summary>
public interface IReferenceCatalog
{
    /// <summary>True when <paramref name="codeArticle"/> exists in <c>articles</c>.</summary>
    bool ArticleExists(int codeArticle);

    /// <summary>The article's own <c>codeTva</c>, or null when the article is unknown.</summary>
    int? ArticleVatCode(int codeArticle);

    /// <summary>The rate in percent (5.5, 10, 20) of a <c>codeTva</c>, or null when unknown.</summary>
    decimal? VatRate(int codeTva);

    /// <summary>The <c>codeTva</c> of a societe/tarif (<c>societes-tarifs</c>): applied to CB payments. Null when none.</summary>
    int? ProfileVatCode(int codeSociete, int codeTarif);

    /// <summary>The <c>idLogiciel</c> VEM's <c>caisse</c> resource gives this point of sale's software (sent in every
    /// ticket's <c>complementaire</c>); null when VEM did not tell it.</summary>
    int? IdLogiciel => null;
}
