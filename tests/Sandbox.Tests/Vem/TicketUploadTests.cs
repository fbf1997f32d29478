using System.Net;
using System.Text.Json;
using Middleware.Domain.Tickets;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Vem;

public sealed class TicketUploadTests
{
    [Fact]
    public async Task A_coherent_ticket_is_stored_once_201_then_200_with_the_same_body()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var ticket = h.ValidTicket();
        using var first = await h.PostTicketAsync(token, ticket);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var body1 = await first.Content.ReadAsStringAsync();
        using var again = await h.PostTicketAsync(token, ticket);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(body1, await again.Content.ReadAsStringAsync());
        var json = JsonDocument.Parse(body1).RootElement;
        Assert.Equal("140000011", json.GetProperty("idTicketEntete").GetString());
        Assert.Equal("INTEGRE", json.GetProperty("statut").GetString());

        var stored = Assert.Single(await h.Server.GetTicketsAsync());
        Assert.Equal("5-1-9-8-14", stored.AppId);
        Assert.Equal(ticket.NumeroTicket, stored.NumeroTicket);
        Assert.Equal(3.30m, stored.Ticket.ListeReglements[0].Montant);
        Assert.Empty(await h.Server.GetTicketsAsync(SandboxSeed.SecondTill));

        using var admin = await h.Http.GetAsync("_sandbox/tickets?appId=5-1-9-8-14");
        Assert.Single((await SandboxHarness.JsonAsync(admin)).EnumerateArray());
    }

    [Fact]
    public async Task Subsidy_entry_fee_CB_with_profile_VAT_and_IzlyPay_online_tickets_are_accepted()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var t = h.ValidTicket();

        // The €1 meal: 3.30 meal and a -2.30 subsidy line, paid 1.00 by Izly.
        var subsidised = t with
        {
            IdTicketEntete = "1", NumeroTicket = t.NumeroTicket[..6] + "1",
            ListeLignes = [t.ListeLignes[0], Line(2, 9101, 1, 1, -2.18m, -2.30m)],
            ListeReglements = [t.ListeReglements[0] with { Montant = 1.00m }],
        };
        using (var r = await h.PostTicketAsync(token, subsidised))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        // A guest paying by CB: the profile's VAT (code 2, 10 %) applies to every line, entry fee included.
        var guest = t with
        {
            IdTicketEntete = "2", NumeroTicket = t.NumeroTicket[..6] + "2",
            ListeLignes = [Line(1, 1201, 1, 2, 7.55m, 8.30m), Line(2, 9001, 1, 2, 1.36m, 1.50m)],
            ListeReglements = [new VemPayment { CodeReglement = CodeReglement.Cb, Montant = 9.80m }],
            Complementaire = new VemComplement { CodeSocieteClient = 8000, TarifClient = 1, IdTypeDistribution = 2, IdLogiciel = 39 },
        };
        using (var r = await h.PostTicketAsync(token, guest))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        // An IzlyPay sale: Izly payment with neither card nor QR, codeClient set, uploaded with versCommandeEnLigne=1.
        var online = t with
        {
            IdTicketEntete = "3", NumeroTicket = t.NumeroTicket[..6] + "3",
            ListeReglements = [new VemPayment { CodeReglement = CodeReglement.Izly, Montant = 3.30m, IdTransactionIzly = "700001" }],
            Complementaire = new VemComplement { CodeClient = "1000001", CodeSocieteClient = 10, TarifClient = 1, IdLogiciel = 39 },
        };
        using (var refused = await h.PostTicketAsync(token, online))
        {
            Assert.Equal((HttpStatusCode)422, refused.StatusCode);
            Assert.Equal("ONLINE_ORDER_FLAG", (await SandboxHarness.ErrorAsync(refused)).Field);
        }

        using (var r = await h.PostTicketAsync(token, online, online: true))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        Assert.Equal(3, (await h.Server.GetTicketsAsync()).Count);
        Assert.True((await h.Server.GetTicketsAsync()).Single(x => x.IdTicketEntete == "3").VersCommandeEnLigne);
    }

    public static TheoryData<string, string, int?> Incoherent => new()
    {
        { "no lines", TicketRules.LinesRequired, null },
        { "line number 0", TicketRules.LineNumber, 0 },
        { "duplicate line number", TicketRules.LineNumberUnique, 1 },
        { "unknown article", TicketRules.LineArticle, 1 },
        { "quantity 0", TicketRules.LineQuantity, 1 },
        { "article VAT differs", TicketRules.LineVatCode, 1 },
        { "unknown VAT code", TicketRules.LineVatRateUnknown, 1 },
        { "HT rounding", TicketRules.LineUnitPriceHt, 1 },
        { "total TTC", TicketRules.LineTotalTtc, 1 },
        { "total HT", TicketRules.LineTotalHt, 1 },
        { "three decimals", TicketRules.LinePricePrecision, 1 },
        { "two payments", TicketRules.PaymentCount, null },
        { "payment code 7", TicketRules.PaymentCode, null },
        { "amount differs", TicketRules.PaymentAmount, null },
        { "Izly without transaction", TicketRules.PaymentIzlyTransaction, null },
        { "Izly without card, QR or client", TicketRules.PaymentIzlyMeans, null },
        { "card without numeroApplicatif", TicketRules.PaymentNumeroApplicatif, null },
        { "Izly fields on CB", TicketRules.PaymentIzlyFieldsOnOtherCode, null },
        { "loyalty total", TicketRules.LoyaltyTotal, null },
        { "delivered", TicketRules.DistributionType, null },
        { "event code", TicketRules.HeaderCodeEvenement, null },
        { "no software version", TicketRules.HeaderVersionLogiciel, null },
        { "numero of another day", "HEADER_NUMERO_TICKET_FORMAT", null },
        { "numero padded", "HEADER_NUMERO_TICKET_FORMAT", null },
        { "CB ignores the profile VAT", TicketRules.LineVatCode, 1 },
    };

    [Theory]
    [MemberData(nameof(Incoherent))]
    public async Task Each_incoherent_ticket_is_refused_with_422_code_70_naming_the_rule_and_line(string mutation, string rule, int? line)
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var ticket = Mutate(h.ValidTicket(), mutation);
        using var r = await h.PostTicketAsync(token, ticket);
        Assert.Equal((HttpStatusCode)422, r.StatusCode);
        var body = await SandboxHarness.JsonAsync(r);
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        Assert.All(errors, e => Assert.Equal("-70", e.GetProperty("code").GetString()));
        var match = errors.FirstOrDefault(e => e.GetProperty("field").GetString() == rule);
        Assert.True(match.ValueKind == JsonValueKind.Object, $"{mutation}: expected rule {rule}, got {body}");
        var message = match.GetProperty("message").GetString()!;
        Assert.Contains(rule, message, StringComparison.Ordinal);
        if (line is { } l)
        {
            Assert.Contains($"(line {l})", message, StringComparison.Ordinal);
        }

        Assert.Empty(await h.Server.GetTicketsAsync());
    }

    [Fact]
    public async Task A_numeroTicket_reused_by_another_ticket_is_refused()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        using (var first = await h.PostTicketAsync(token, h.ValidTicket("100")))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using var clash = await h.PostTicketAsync(token, h.ValidTicket("101"));
        Assert.Equal((HttpStatusCode)422, clash.StatusCode);
        var e = await SandboxHarness.ErrorAsync(clash);
        Assert.Equal("-70", e.Code);
        Assert.Equal("HEADER_NUMERO_TICKET_UNIQUE", e.Field);
        // The same number on another till is fine.
        using var other = await h.PostTicketAsync(await h.TokenAsync(SandboxSeed.SecondTill), h.ValidTicket("101"), SandboxSeed.SecondTill);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_400_and_a_ticket_without_token_is_401()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var bad = await h.PostTicketAsync(await h.TokenAsync(), "{\"idTicketEntete\": ");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var noToken = await h.PostTicketAsync("", h.ValidTicket());
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Empty(await h.Server.GetTicketsAsync());
    }

    private static VemTicketLine Line(int n, int article, int qty, int tva, decimal ht, decimal ttc) =>
        new() { NumeroLigne = n, CodeArticle = article, Quantite = qty, CodeTva = tva, PrixUnitaireHt = ht, PrixUnitaireTtc = ttc, TotalHt = ht * qty, TotalTtc = ttc * qty };

    private static VemTicket Mutate(VemTicket t, string mutation)
    {
        var l = t.ListeLignes[0];
        var p = t.ListeReglements[0];
        return mutation switch
        {
            "no lines" => t with { ListeLignes = [] },
            "line number 0" => t with { ListeLignes = [l with { NumeroLigne = 0 }] },
            "duplicate line number" => t with { ListeLignes = [l, Line(1, 4101, 1, 1, 0.47m, 0.50m)], ListeReglements = [p with { Montant = 3.80m }] },
            "unknown article" => t with { ListeLignes = [l with { CodeArticle = 4242 }] },
            "quantity 0" => t with { ListeLignes = [l with { Quantite = 0, TotalHt = 0, TotalTtc = 0 }], ListeReglements = [p with { Montant = 0 }] },
            "article VAT differs" => t with { ListeLignes = [l with { CodeTva = 2, PrixUnitaireHt = 3.00m, TotalHt = 3.00m }] },
            "unknown VAT code" => t with { ListeLignes = [l with { CodeTva = 9 }] },
            "HT rounding" => t with { ListeLignes = [l with { PrixUnitaireHt = 3.12m, TotalHt = 3.12m }] },
            "total TTC" => t with { ListeLignes = [l with { Quantite = 2, TotalHt = 6.26m }], ListeReglements = [p with { Montant = 3.30m }] },
            "total HT" => t with { ListeLignes = [l with { TotalHt = 3.30m }] },
            "three decimals" => t with { ListeLignes = [l with { PrixUnitaireTtc = 3.305m, TotalTtc = 3.305m, PrixUnitaireHt = 3.133m, TotalHt = 3.133m }], ListeReglements = [p with { Montant = 3.305m }] },
            "two payments" => t with { ListeReglements = [p with { Montant = 1.30m }, new VemPayment { CodeReglement = 4, Montant = 2.00m }] },
            "payment code 7" => t with { ListeReglements = [new VemPayment { CodeReglement = 7, Montant = 3.30m }] },
            "amount differs" => t with { ListeReglements = [p with { Montant = 3.20m }] },
            "Izly without transaction" => t with { ListeReglements = [p with { IdTransactionIzly = null }] },
            "Izly without card, QR or client" => t with { ListeReglements = [p with { IdSupport = null, NumeroApplicatif = null }], Complementaire = t.Complementaire! with { CodeClient = null } },
            "card without numeroApplicatif" => t with { ListeReglements = [p with { NumeroApplicatif = null }] },
            "Izly fields on CB" => t with { ListeReglements = [p with { CodeReglement = 4 }], Complementaire = t.Complementaire! with { CodeSocieteClient = null, TarifClient = null } },
            "loyalty total" => t with { ListeLignes = [l with { GainFidelite = 3 }], Complementaire = t.Complementaire! with { CumulPointsFidelite = 2 } },
            "delivered" => t with { Complementaire = t.Complementaire! with { IdTypeDistribution = 3 } },
            "event code" => t with { CodeEvenement = "XX" },
            "no software version" => t with { VersionLogiciel = "" },
            "numero of another day" => t with { NumeroTicket = "2011251" },
            "numero padded" => t with { NumeroTicket = t.NumeroTicket[..6] + "001" },
            // A guest (8000/1) paying by CB: VAT code 2 applies, not the article's 1.
            "CB ignores the profile VAT" => t with
            {
                ListeReglements = [new VemPayment { CodeReglement = 4, Montant = 3.30m }],
                Complementaire = new VemComplement { CodeSocieteClient = 8000, TarifClient = 1, IdLogiciel = 39 },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null),
        };
    }
}
