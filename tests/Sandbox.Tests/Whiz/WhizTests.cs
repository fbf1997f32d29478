using System.Net;
using System.Net.Http.Json;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Whiz;

public sealed class WhizTests
{
    [Fact]
    public async Task Orders_get_daily_call_numbers_and_their_status_moves_to_a_final_state()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        async Task<HttpResponseMessage> Send(HttpMethod m, string path, object body, string? t = null)
        {
            using var req = new HttpRequestMessage(m, path) { Content = JsonContent.Create(body) };
            req.Headers.TryAddWithoutValidation("Authorization", t ?? token);
            return await h.Http.SendAsync(req);
        }

        object Order(string numero) => new { numeroTicket = numero, idTypeDistribution = 2, heure = "11:02", lignes = new[] { new { codeArticle = 3101, libelle = "Plat du jour", quantite = 1, commentaire = "sans sauce" } } };
        using var first = await Send(HttpMethod.Post, "whiz/v1/5/commandes/5/1/9/8", Order("2611261"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var o1 = await SandboxHarness.JsonAsync(first);
        Assert.Equal(1, o1.GetProperty("numeroAppel").GetInt32());
        using var second = await Send(HttpMethod.Post, "whiz/v1/5/commandes/5/1/9/8", Order("2611262"));
        Assert.Equal(2, (await SandboxHarness.JsonAsync(second)).GetProperty("numeroAppel").GetInt32());
        using var dup = await Send(HttpMethod.Post, "whiz/v1/5/commandes/5/1/9/8", Order("2611261"));
        Assert.Equal(HttpStatusCode.OK, dup.StatusCode);
        Assert.Equal(o1.GetProperty("idCommande").GetString(), (await SandboxHarness.JsonAsync(dup)).GetProperty("idCommande").GetString());

        var id = o1.GetProperty("idCommande").GetString();
        foreach (var s in new[] { "EN_PREPARATION", "PRETE", "SERVIE" })
        {
            using var r = await Send(HttpMethod.Patch, $"whiz/v1/5/commandes/{id}", new { statut = s });
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var afterFinal = await Send(HttpMethod.Patch, $"whiz/v1/5/commandes/{id}", new { statut = "ANNULEE" }))
        {
            Assert.Equal((HttpStatusCode)422, afterFinal.StatusCode);
        }

        using (var badStatus = await Send(HttpMethod.Patch, $"whiz/v1/5/commandes/{id}", new { statut = "LIVREE" }))
        {
            Assert.Equal((HttpStatusCode)422, badStatus.StatusCode);
        }

        using (var otherUnit = await Send(HttpMethod.Post, "whiz/v1/5/commandes/5/1/12/3", Order("2611263")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, otherUnit.StatusCode);
        }

        using (var noToken = await Send(HttpMethod.Post, "whiz/v1/5/commandes/5/1/9/8", Order("2611264"), ""))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        }

        var orders = await h.Server.GetWhizOrdersAsync();
        Assert.Equal(2, orders.Count);
        Assert.Equal("SERVIE", orders[0].Statut);
        Assert.Equal("EN_ATTENTE", orders[1].Statut);
        Assert.Equal("5-1-9-8", orders[0].AppId);

        // Call numbers restart the next day.
        h.Time.Advance(TimeSpan.FromDays(1));
        using var tomorrow = await Send(HttpMethod.Post, "whiz/v1/5/commandes/5/1/9/8", Order("2611271"), await h.TokenAsync());
        Assert.Equal(1, (await SandboxHarness.JsonAsync(tomorrow)).GetProperty("numeroAppel").GetInt32());
    }
}
