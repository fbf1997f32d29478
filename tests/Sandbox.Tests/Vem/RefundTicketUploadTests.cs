using System.Net;
using Middleware.Domain.Tickets;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Vem;

namespace Middleware.Sandbox.Tests.Vem;

public sealed class RefundTicketUploadTests
{
    /// <summary>The refund (RB) of <paramref name="sale"/>, or of <paramref name="part"/> of its one line.</summary>
    private static VemTicket RefundOf(VemTicket sale, string id, int sequence, int quantity = 1, string? originId = null, string? originNumero = null)
    {
        var line = sale.ListeLignes[0];
        var refunded = line with { Quantite = -quantity, TotalTtc = -line.PrixUnitaireTtc * quantity, TotalHt = -line.PrixUnitaireHt * quantity };
        return sale with
        {
            IdTicketEntete = id,
            NumeroTicket = sale.NumeroTicket[..6] + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            CodeEvenement = CodeEvenements.Refund,
            ListeLignes = [refunded],
            ListeReglements = [sale.ListeReglements[0] with { Montant = refunded.TotalTtc }],
            Complementaire = sale.Complementaire! with { SoldeClient = null, IdTicketEnteteOrigine = originId ?? sale.IdTicketEntete, NumeroTicketOrigine = originNumero ?? sale.NumeroTicket },
        };
    }

    [Fact]
    public async Task A_refund_of_a_held_sale_is_stored_and_a_second_one_exceeding_it_is_refused()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var sale = h.ValidTicket("1", 1);
        using (var r = await h.PostTicketAsync(token, sale))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        var refund = RefundOf(sale, "2", 2);
        using (var r = await h.PostTicketAsync(token, refund))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        // The same refund again is a duplicate (200), not a second refund.
        using (var r = await h.PostTicketAsync(token, refund))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await h.PostTicketAsync(token, RefundOf(sale, "3", 3)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
            var (code, message, field) = await SandboxHarness.ErrorAsync(r);
            Assert.Equal((SandboxErrorCodes.IncoherentTicket, RefundChecks.ExceedsOrigin), (code, field));
            Assert.Contains("6.60", message);
            Assert.Contains("3.30", message);
        }

        var stored = (await h.Server.GetTicketsAsync()).Select(t => t.Ticket).ToList();
        Assert.Equal(["VT", "RB"], stored.Select(t => t.CodeEvenement));
        Assert.Equal((-1, -3.30m, "1", sale.NumeroTicket),
            (stored[1].ListeLignes[0].Quantite, stored[1].ListeReglements[0].Montant, stored[1].Complementaire!.IdTicketEnteteOrigine, stored[1].Complementaire!.NumeroTicketOrigine));
    }

    [Fact]
    public async Task A_refund_within_the_sale_is_accepted_in_parts()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var two = h.ValidTicket("1", 1);
        var line = two.ListeLignes[0] with { Quantite = 2, TotalTtc = 6.60m, TotalHt = 6.26m };
        two = two with { ListeLignes = [line], ListeReglements = [two.ListeReglements[0] with { Montant = 6.60m }] };
        using (var r = await h.PostTicketAsync(token, two))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using (var r = await h.PostTicketAsync(token, RefundOf(two, "2", 2)))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using (var r = await h.PostTicketAsync(token, RefundOf(two, "3", 3)))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using (var r = await h.PostTicketAsync(token, RefundOf(two, "4", 4)))
        {
            Assert.Equal(RefundChecks.ExceedsOrigin, (await SandboxHarness.ErrorAsync(r)).Field);
        }
    }

    [Theory]
    [InlineData("99", null)]      // no such ticket
    [InlineData("1", "999999")]   // the id of a sale, another number
    public async Task A_refund_of_a_ticket_the_point_of_sale_never_sent_is_refused(string originId, string? originNumero)
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var sale = h.ValidTicket("1", 1);
        using (var r = await h.PostTicketAsync(token, sale))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var refused = await h.PostTicketAsync(token, RefundOf(sale, "2", 2, originId: originId, originNumero: originNumero));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var (code, _, field) = await SandboxHarness.ErrorAsync(refused);
        Assert.Equal((SandboxErrorCodes.IncoherentTicket, RefundChecks.OriginUnknown), (code, field));
        Assert.Single(await h.Server.GetTicketsAsync());
    }

    [Fact]
    public async Task A_refund_of_another_point_of_sales_ticket_is_refused()
    {
        await using var h = await SandboxHarness.StartAsync();
        var sale = h.ValidTicket("1", 1);
        using (var r = await h.PostTicketAsync(await h.TokenAsync(), sale))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var refused = await h.PostTicketAsync(await h.TokenAsync(SandboxSeed.SecondTill), RefundOf(sale, "1", 2), SandboxSeed.SecondTill);
        Assert.Equal(RefundChecks.OriginUnknown, (await SandboxHarness.ErrorAsync(refused)).Field);
    }

    [Fact]
    public async Task A_refund_without_its_link_and_a_ticket_without_idLogiciel_are_refused_by_the_shared_rules()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var sale = h.ValidTicket("1", 1);
        using (var r = await h.PostTicketAsync(token, sale with { Complementaire = sale.Complementaire! with { IdLogiciel = null } }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
            Assert.Equal(TicketRules.ComplementIdLogiciel, (await SandboxHarness.ErrorAsync(r)).Field);
        }

        var unlinked = RefundOf(sale, "2", 2);
        using var refused = await h.PostTicketAsync(token, unlinked with { Complementaire = unlinked.Complementaire! with { IdTicketEnteteOrigine = null } });
        Assert.Equal(TicketRules.RefundOrigin, (await SandboxHarness.ErrorAsync(refused)).Field);
        Assert.Empty(await h.Server.GetTicketsAsync());
    }
}
