using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Globals;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;

namespace Middleware.Scripting.Tests.TicketMapping;

/// <summary>The test catalogue (scripts/tests/catalog.json) as the ticket validator reads reference data.</summary>
internal sealed class CatalogReference(IPriceCatalog catalog) : IReferenceCatalog
{
    public static CatalogReference Instance { get; } = new(TestScripts.Catalog);

    public bool ArticleExists(int codeArticle) => catalog.Article(codeArticle) is not null;

    public int? ArticleVatCode(int codeArticle) => catalog.Article(codeArticle)?.CodeTva;

    public decimal? VatRate(int codeTva) => catalog.VatRate(codeTva);

    public int? ProfileVatCode(int codeSociete, int codeTarif) => catalog.ProfileVatCode(codeSociete, codeTarif);

    /// <summary>As the sandbox's caisse gives it: every ticket needs it.</summary>
    public int? IdLogiciel => 39;
}

internal static class MappingSamples
{
    public static readonly PointOfSaleId Ru9 = PointOfSaleId.Parse("5-1-9-8-14");
    public static readonly PointOfSaleId NoSite = PointOfSaleId.Parse("5-1-9-8-15");
    public static readonly PointOfSaleId SiteWithoutMapping = PointOfSaleId.Parse("5-1-7-1-1");

    public static PointOfSaleOptions[] PointsOfSale =>
    [
        new() { Id = Ru9.ToString(), ScriptSite = "crous-5/ru-9", TimeZone = "Europe/Paris" },
        new() { Id = NoSite.ToString(), TimeZone = "Europe/Paris" },
        new() { Id = SiteWithoutMapping.ToString(), ScriptSite = "crous-5/ru-7", TimeZone = "Europe/Paris" },
    ];

    /// <summary>A hot meal and a juice paid by Izly card by an anonymous guest (no customer block).</summary>
    public static TicketSale GuestSale(int i = 1) => new()
    {
        Lines =
        [
            new SaleLine { CodeArticle = 1201, UnitPriceTtc = 5.20m, Label = "Plat chaud" },
            new SaleLine { CodeArticle = 1501, UnitPriceTtc = 1.50m, Quantity = 2, Label = "Jus de fruits" },
        ],
        Payment = new SalePayment { CodeReglement = CodeReglement.Izly, IdSupport = "36000000", NumeroApplicatif = "04A1B2C3D4E5F6", IdTransactionIzly = "tx-" + i },
        Distribution = Distribution.TakeAway,
    };

    /// <summary>A student's meal with the €1-meal subsidy and loyalty points.</summary>
    public static TicketSale StudentSale() => new()
    {
        Lines =
        [
            new SaleLine { CodeArticle = 2001, UnitPriceTtc = 3.30m, Label = "Formule", LoyaltyGain = 3 },
            SaleLine.Subsidy(9001, 2.30m),
        ],
        Payment = new SalePayment { CodeReglement = CodeReglement.Izly, QrCode = "QR-1", IdTransactionIzly = "tx-s" },
        Customer = new SaleCustomer { CodeClient = "C-42", Name = "Camille", BalanceAfter = 12.5m, CodeSociete = 10, Tarif = 1, Affectation = "INSA" },
        LoyaltyBalance = 43,
    };

    public static TicketMappingContext Context(PointOfSaleId pos, TicketSale sale, long id = 7) =>
        new(pos, sale, new TicketIdentity(id, "261126" + id, new DateTimeOffset(2026, 11, 26, 12, 15, 0, TimeSpan.FromHours(1)), "0.1.0", 39), CatalogReference.Instance);
}
