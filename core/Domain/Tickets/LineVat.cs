using Middleware.Domain.Reference;

namespace Middleware.Domain.Tickets;

/// <summary>
/// The one rule that gives a line its <c>codeTva</c>, shared by pricing (what the till shows), the ticket mapping (what
/// VEM receives) and the validator (crous-izly-api.md §4, "VAT of a line" [designed decision]): a non-student profile
/// whose societe/tarif has a <c>codeTva</c> of its own (<c>societes-tarifs</c>) takes that one; every other line takes
/// its article's. The means of payment does not enter: the VAT of a meal depends on who eats it, not on how it is paid.
/// </summary>
public static class LineVat
{
    private const int StudentSociete = 10;
    private const int OnlineOrderingSociete = 8024;

    /// <summary>10/x students, and 8024/1 (students of the online-ordering app), as crous-izly-api.md §3 names them.</summary>
    public static bool IsStudentProfile(int codeSociete, int codeTarif) =>
        codeSociete == StudentSociete || (codeSociete == OnlineOrderingSociete && codeTarif == 1);

    /// <summary>The line's code from values already looked up: <paramref name="profileVat"/> is the societe/tarif's own
    /// code (null when it has none or the profile is unknown).</summary>
    public static int CodeFor(int articleVat, int? codeSociete, int? codeTarif, int? profileVat) =>
        profileVat is { } profile && codeSociete is { } societe && codeTarif is { } tarif && !IsStudentProfile(societe, tarif)
            ? profile
            : articleVat;

    /// <summary>The line's code for <paramref name="codeArticle"/> and the profile, from <paramref name="catalog"/>; null
    /// when the article is unknown.</summary>
    public static int? CodeFor(int codeArticle, int? codeSociete, int? codeTarif, IReferenceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog.ArticleVatCode(codeArticle) is not { } articleVat)
        {
            return null;
        }

        var profileVat = codeSociete is { } s && codeTarif is { } t ? catalog.ProfileVatCode(s, t) : null;
        return CodeFor(articleVat, codeSociete, codeTarif, profileVat);
    }
}
