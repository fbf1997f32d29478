using System.Text.Json;
using Middleware.Client;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 16: <c>catalog.articles</c> through the real pipe, on the sandbox's reference data as the host synced it: every
/// price, VAT code and kiosk flag is the seed's, for the default profile (a guest), for a given one, and for a sale's.
/// </summary>
public sealed class CatalogEndToEndTests(SaleHostFixture fixture) : IClassFixture<SaleHostFixture>
{
    private SaleHost Host => fixture.Host;

    [Fact]
    public async Task The_default_catalogue_is_the_guests_with_the_seeds_prices_and_vat_codes()
    {
        await using var till = await Host.ConnectAsync();
        var seed = Host.Sandbox.Seed;

        var catalog = await till.CallAsync("catalog.articles");

        Assert.Equal((8000, 1), (catalog.GetProperty("codeSociete").GetInt32(), catalog.GetProperty("codeTarif").GetInt32()));
        Assert.Equal(2, catalog.GetProperty("profileCodeTva").GetInt32());
        Assert.Equal(seed.CurrentPeriod.IdPeriode, catalog.GetProperty("period").GetProperty("idPeriode").GetInt32());
        var expected = seed.Articles.Where(a => a.Actif && seed.PriceOf(a.CodeArticle, 8000, 1) is not null).ToDictionary(a => a.CodeArticle);
        var articles = Articles(catalog);
        Assert.True(expected.Count > 20, $"the seed has {expected.Count} guest articles");
        Assert.Equal(expected.Keys.Order(), articles.Keys.Order());
        foreach (var (code, article) in articles)
        {
            Assert.Equal(seed.PriceOf(code, 8000, 1), article.GetProperty("priceTtc").GetDecimal());
            Assert.Equal(expected[code].CodeTva, article.GetProperty("codeTva").GetInt32());
            Assert.Equal(expected[code].Libelle, article.GetProperty("label").GetString());
            Assert.Equal(expected[code].VersBornesPrepaiement, article.GetProperty("versBornesPrepaiement").GetBoolean());
        }

        Assert.Equal((expected.Count, false), (catalog.GetProperty("total").GetInt32(), catalog.GetProperty("truncated").GetBoolean()));
    }

    [Fact]
    public async Task The_kiosk_subset_of_a_student_profile_holds_only_kiosk_articles_at_the_student_price()
    {
        await using var till = await Host.ConnectAsync();
        var seed = Host.Sandbox.Seed;

        var catalog = await till.CallAsync("catalog.articles", new { codeSociete = 10, codeTarif = 1, versBornesPrepaiement = true });

        var expected = seed.Articles.Where(a => a.Actif && a.VersBornesPrepaiement && seed.PriceOf(a.CodeArticle, 10, 1) is not null).Select(a => a.CodeArticle).Order().ToList();
        var articles = Articles(catalog);
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < seed.Articles.Count(a => a.Actif), "the seed's kiosk subset is a strict subset");
        Assert.Equal(expected, articles.Keys.Order().ToList());
        Assert.All(articles, a => Assert.Equal(seed.PriceOf(a.Key, 10, 1), a.Value.GetProperty("priceTtc").GetDecimal()));
        Assert.Equal(seed.SocietesTarifs.Single(p => p.CodeSociete == 10 && p.CodeTarif == 1).CodeTva, catalog.GetProperty("profileCodeTva").GetInt32());
    }

    [Fact]
    public async Task A_sales_profile_is_the_default_the_output_is_bounded_and_bad_params_are_refused()
    {
        await using var till = await Host.ConnectAsync();
        var seed = Host.Sandbox.Seed;
        var sale = await till.CallMutatingAsync("sale.open", new { });
        var saleId = sale.GetProperty("saleId").GetString()!;
        await till.CallMutatingAsync("sale.setProfile", new { saleId, codeSociete = 8024, codeTarif = 2 });

        var ofSale = await till.CallAsync("catalog.articles", new { saleId, limit = 3 });

        Assert.Equal((8024, 2), (ofSale.GetProperty("codeSociete").GetInt32(), ofSale.GetProperty("codeTarif").GetInt32()));
        var three = Articles(ofSale);
        Assert.Equal(3, three.Count);
        Assert.True(ofSale.GetProperty("truncated").GetBoolean());
        Assert.All(three, a => Assert.Equal(seed.PriceOf(a.Key, 8024, 2), a.Value.GetProperty("priceTtc").GetDecimal()));

        foreach (var bad in new object[] { new { codeSociete = 10 }, new { codeSociete = 9999, codeTarif = 1 }, new { limit = 0 }, new { limit = 2001 } })
        {
            var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallAsync("catalog.articles", bad));
            Assert.Equal(1000, error.Code);
        }

        Assert.Equal(1410, (await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallAsync("catalog.articles", new { saleId = "0123456789abcdef0123456789abcdef" }))).Code);
    }

    private static Dictionary<int, JsonElement> Articles(JsonElement catalog) =>
        catalog.GetProperty("articles").EnumerateArray().ToDictionary(a => a.GetProperty("codeArticle").GetInt32());
}
