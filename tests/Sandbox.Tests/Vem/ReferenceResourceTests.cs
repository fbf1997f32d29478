using System.Net;
using System.Text.Json;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Vem;

public sealed class ReferenceResourceTests
{
    [Fact]
    public async Task Every_resource_is_served_with_realistic_data()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();

        var tva = await ListAsync(h, token, "tva");
        Assert.Equal([5.5m, 10m, 20m], tva.Select(t => t.GetProperty("taux").GetDecimal()).Order());

        var articles = await ListAsync(h, token, "articles");
        Assert.InRange(articles.Count, 40, 60);
        Assert.True(articles.Count(a => a.GetProperty("codeFamille").GetInt32() == 1) >= 5, "set menus");
        Assert.Contains(articles, a => !a.GetProperty("actif").GetBoolean());

        var societes = await ListAsync(h, token, "societes");
        Assert.Equal([10, 8000, 8024], societes.Select(s => s.GetProperty("codeSociete").GetInt32()).Order());

        var st = await ListAsync(h, token, "societes-tarifs");
        Assert.Contains(st, s => s.GetProperty("codeSociete").GetInt32() == 8000 && s.GetProperty("codeTarif").GetInt32() == 1 && s.GetProperty("codeTva").GetInt32() == 2);
        Assert.Contains(st, s => s.GetProperty("codeSociete").GetInt32() == 8024 && s.GetProperty("codeTarif").GetInt32() == 2);

        var periodes = await ListAsync(h, token, "periodes");
        Assert.Equal(2, periodes.Count);
        var current = periodes[0];
        Assert.True(current.GetProperty("dateDebut").GetDateTimeOffset() <= SandboxHarness.Start && SandboxHarness.Start <= current.GetProperty("dateFin").GetDateTimeOffset());
        Assert.True(periodes[1].GetProperty("dateDebut").GetDateTimeOffset() > SandboxHarness.Start);

        Assert.Equal(2 * 5, (await ListAsync(h, token, "societes-tarifs-periode")).Count);
        Assert.Equal(2, (await ListAsync(h, token, "droits-entree-types")).Count);
        var fees = await ListAsync(h, token, "droits-entree");
        Assert.Contains(fees, f => f.GetProperty("codeSociete").GetInt32() == 8000 && f.GetProperty("montantTtc").GetDecimal() == 1.50m);
        var subsidies = await ListAsync(h, token, "subventions");
        var oneEuro = Assert.Single(subsidies, s => s.GetProperty("codeArticle").GetInt32() == 9101);
        // The €1 meal: the 3.30 meal minus the subsidy.
        Assert.Equal(1.00m, h.Seed.PriceOf(1201, 10, 2)!.Value - oneEuro.GetProperty("montant").GetDecimal());
    }

    [Fact]
    public async Task Prices_honour_periodesFutures_and_versBornesPrepaiement()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var currentOnly = await ListAsync(h, token, "articles-societes-tarifs-periodes");
        var withFuture = await ListAsync(h, token, "articles-societes-tarifs-periodes", "?periodesFutures=1");
        var currentId = h.Seed.CurrentPeriod.IdPeriode;
        var futureId = h.Seed.FuturePeriod.IdPeriode;
        Assert.All(currentOnly, p => Assert.Equal(currentId, p.GetProperty("idPeriode").GetInt32()));
        Assert.Equal(2 * currentOnly.Count, withFuture.Count);
        decimal Price(List<JsonElement> list, int period, int societe) => list.Single(p => p.GetProperty("codeArticle").GetInt32() == 1201
            && p.GetProperty("codeSociete").GetInt32() == societe && p.GetProperty("codeTarif").GetInt32() == 1 && p.GetProperty("idPeriode").GetInt32() == period).GetProperty("prixTtc").GetDecimal();
        Assert.Equal(3.30m, Price(withFuture, currentId, 10));
        Assert.Equal(3.40m, Price(withFuture, futureId, 10));
        Assert.True(Price(withFuture, currentId, 8000) > 3.30m);

        var kiosk = await ListAsync(h, token, "articles-societes-tarifs-periodes", "?versBornesPrepaiement=1");
        Assert.NotEmpty(kiosk);
        Assert.All(kiosk, p => Assert.Equal(12, p.GetProperty("codeArticle").GetInt32() / 100));
        var kioskArticles = await ListAsync(h, token, "articles", "?versBornesPrepaiement=1");
        Assert.All(kioskArticles, a => Assert.True(a.GetProperty("versBornesPrepaiement").GetBoolean()));
        Assert.True(kioskArticles.Count < (await ListAsync(h, token, "articles", "?versBornesPrepaiement=0")).Count);
    }

    [Fact]
    public async Task Unknown_resource_and_unknown_till_are_404()
    {
        await using var h = await SandboxHarness.StartAsync();
        var oauth = "Bearer " + await AuthenticationTests.OAuthTokenAsync(h, SandboxSeed.OAuthClientId, SandboxSeed.OAuthClientSecret);
        using var r = await h.GetVemAsync("nope", oauth);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using var pos = await h.GetVemAsync("tva", oauth, new Domain.PointsOfSale.PointOfSaleId(5, 1, 9, 8, 77));
        Assert.Equal(HttpStatusCode.NotFound, pos.StatusCode);
    }

    private static async Task<List<JsonElement>> ListAsync(SandboxHarness h, string token, string resource, string query = "")
    {
        using var r = await h.GetVemAsync(resource, token, query: query);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return [.. (await SandboxHarness.JsonAsync(r)).EnumerateArray()];
    }
}
