using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Middleware.Domain.Tickets;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Vem;

/// <summary>[designed] VEM's answer to a repeated idTicketEntete (exactly-once issue #12), over real HTTP.</summary>
public sealed class TicketIdConflictTests
{
    [Fact]
    public async Task A_repeat_with_the_same_body_is_200_with_the_stored_answer_even_reformatted()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var json = JsonSerializer.Serialize(h.ValidTicket("7"), VemJson.Options);
        using var first = await h.PostTicketAsync(token, json);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        // The same ticket, indented: whitespace is not a different body.
        var indented = JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        Assert.NotEqual(json, indented);
        using var again = await h.PostTicketAsync(token, indented);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Single(await h.Server.GetTicketsAsync());
    }

    [Fact]
    public async Task A_repeat_with_another_body_is_409_code_71_with_the_stored_body_hash_and_keeps_the_first()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var original = h.ValidTicket("7", sequence: 1);
        var originalJson = JsonSerializer.Serialize(original, VemJson.Options);
        using (var first = await h.PostTicketAsync(token, originalJson))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        // A till that lost its store numbers another sale with the same id (and a fresh numero of the day).
        var other = original with
        {
            NumeroTicket = original.NumeroTicket[..6] + "2",
            ListeReglements = [original.ListeReglements[0] with { IdTransactionIzly = "99999" }],
        };
        using var clash = await h.PostTicketAsync(token, other);
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        var body = await SandboxHarness.JsonAsync(clash);
        var error = body.GetProperty("errors")[0];
        Assert.Equal("-71", error.GetProperty("code").GetString());
        Assert.Contains("idTicketEntete 7", error.GetProperty("message").GetString());
        Assert.Equal(Sha256OfCanonical(originalJson), body.GetProperty("empreinteCorpsStocke").GetString());

        // VEM still holds the first body, once; the second sale was not recorded under any id.
        var stored = Assert.Single(await h.Server.GetTicketsAsync());
        Assert.Equal(original.NumeroTicket, stored.NumeroTicket);
        Assert.Equal("88412", stored.Ticket.ListeReglements[0].IdTransactionIzly);

        // The same conflicting body again is still a conflict, never a success.
        using var clashAgain = await h.PostTicketAsync(token, other);
        Assert.Equal(HttpStatusCode.Conflict, clashAgain.StatusCode);
    }

    [Fact]
    public async Task The_same_id_on_another_point_of_sale_is_not_a_conflict()
    {
        await using var h = await SandboxHarness.StartAsync();
        using (var first = await h.PostTicketAsync(await h.TokenAsync(), h.ValidTicket("7")))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        var t = h.ValidTicket("7");
        using var other = await h.PostTicketAsync(await h.TokenAsync(SandboxSeed.SecondTill), t with { ListeReglements = [t.ListeReglements[0] with { IdTransactionIzly = "1" }] }, SandboxSeed.SecondTill);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task Caisse_tells_the_last_ticket_held_by_numeric_id_or_null()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        using (var none = await h.GetVemAsync("caisse", token))
        {
            Assert.Equal(JsonValueKind.Null, (await SandboxHarness.JsonAsync(none)).GetProperty("dernierTicket").ValueKind);
        }

        // "10" after "9": the highest id numerically, not as text.
        foreach (var (id, seq) in new[] { ("9", 1), ("10", 2), ("8", 3) })
        {
            using var r = await h.PostTicketAsync(token, h.ValidTicket(id, seq));
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var caisse = await h.GetVemAsync("caisse", token);
        var last = (await SandboxHarness.JsonAsync(caisse)).GetProperty("dernierTicket");
        Assert.Equal("10", last.GetProperty("idTicketEntete").GetString());
        Assert.Equal(h.ValidTicket("10", 2).NumeroTicket, last.GetProperty("numeroTicket").GetString());

        // Another till's caisse is unaffected.
        using var second = await h.GetVemAsync("caisse", await h.TokenAsync(SandboxSeed.SecondTill), SandboxSeed.SecondTill);
        Assert.Equal(JsonValueKind.Null, (await SandboxHarness.JsonAsync(second)).GetProperty("dernierTicket").ValueKind);
    }

    /// <summary>Computed here, not through the sandbox's code: SHA-256 of the body re-serialized compactly.</summary>
    private static string Sha256OfCanonical(string json) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonNode.Parse(json)!.ToJsonString())));
}
