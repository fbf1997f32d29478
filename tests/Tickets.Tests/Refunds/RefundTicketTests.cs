using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Model;
using Middleware.Tickets.Refunds;
using Xunit;

namespace Middleware.Tickets.Tests.Refunds;

public sealed class RefundTicketTests
{
    private static async Task<(TicketReceipt Sale, TicketReceipt Refund)> SellAndRefundAsync(TicketFixture f, string requestId = "11111111-1111-1111-1111-111111111111")
    {
        var sold = await f.CommitAsync(requestId);
        var detail = (await f.Service.GetDetailAsync(TicketFixture.Pos1, long.Parse(sold.IdTicketEntete), CancellationToken.None))!;
        var refund = await f.CommitAsync(RefundTicketSale.RequestIdFor(requestId), RefundTicketSale.For(detail));
        return (sold, refund);
    }

    [Fact]
    public async Task Refund_ticket_gives_back_the_sale_ticket_line_by_line_and_links_to_it()
    {
        await using var f = new TicketFixture();
        var (sold, refund) = await SellAndRefundAsync(f);
        Assert.Equal(("1", "2003181"), (sold.IdTicketEntete, sold.NumeroTicket));
        // Numbered from the same point of sale's numbering, next after the sale.
        Assert.Equal(("2", "2003182"), (refund.IdTicketEntete, refund.NumeroTicket));

        var vt = (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Ticket!;
        var rb = (await f.Service.GetAsync(TicketFixture.Pos1, 2, CancellationToken.None))!.Ticket!;
        Assert.Equal(CodeEvenements.Refund, rb.CodeEvenement);
        Assert.Equal(vt.ListeLignes.Count, rb.ListeLignes.Count);
        // Meal 3.30, entry fee 0.50, subsidy -1.00: quantities -1, unit prices and VAT codes unchanged, totals negated.
        Assert.Equal([(-1, 3.30m, -3.30m, 1), (-1, 0.50m, -0.50m, 1), (-1, -1.00m, 1.00m, 1)],
            rb.ListeLignes.Select(l => (l.Quantite, l.PrixUnitaireTtc, l.TotalTtc, l.CodeTva)).ToArray());
        Assert.Equal(vt.ListeLignes.Select(l => -l.TotalHt), rb.ListeLignes.Select(l => l.TotalHt));
        Assert.All(rb.ListeLignes, l => Assert.Null(l.GainFidelite));
        var payment = Assert.Single(rb.ListeReglements);
        Assert.Equal((CodeReglement.Izly, -2.80m, "88412", "36000000"), (payment.CodeReglement, payment.Montant, payment.IdTransactionIzly, payment.IdSupport));
        Assert.Equal(2.80m, vt.ListeReglements[0].Montant);
        Assert.Equal(("1", "2003181", 39), (rb.Complementaire!.IdTicketEnteteOrigine, rb.Complementaire.NumeroTicketOrigine, rb.Complementaire.IdLogiciel));
        Assert.Null(rb.Complementaire.CumulPointsFidelite);
        Assert.Null(rb.Complementaire.SoldeClient);
        Assert.Equal(vt.Complementaire!.CodeClient, rb.Complementaire.CodeClient);
    }

    [Fact]
    public async Task Refund_commit_is_idempotent_by_its_derived_request_id_across_a_restart()
    {
        await using var f = new TicketFixture();
        var (_, refund) = await SellAndRefundAsync(f);
        await f.RestartAsync();
        var detail = (await f.Service.GetDetailAsync(TicketFixture.Pos1, 1, CancellationToken.None))!;
        var again = await f.CommitAsync(RefundTicketSale.RequestIdFor("11111111-1111-1111-1111-111111111111"), RefundTicketSale.For(detail));
        Assert.True(again.AlreadyCommitted);
        Assert.Equal(refund.IdTicketEntete, again.IdTicketEntete);
        Assert.Equal(2, (await f.Service.ListAsync(TicketFixture.Pos1, null, 10, CancellationToken.None)).Count);
    }

    [Fact]
    public void Derived_request_id_is_a_stable_uuid_of_its_sale_only()
    {
        var a = RefundTicketSale.RequestIdFor("11111111-1111-1111-1111-111111111111");
        Assert.True(Guid.TryParse(a, out var parsed));
        Assert.Equal(8, parsed.Version);
        Assert.Equal(a, RefundTicketSale.RequestIdFor("11111111-1111-1111-1111-111111111111"));
        Assert.NotEqual(a, RefundTicketSale.RequestIdFor("22222222-2222-2222-2222-222222222222"));
        Assert.NotEqual("11111111-1111-1111-1111-111111111111", a);
    }

    [Fact]
    public async Task A_refund_ticket_is_not_refunded_again()
    {
        await using var f = new TicketFixture();
        await SellAndRefundAsync(f);
        var refundDetail = (await f.Service.GetDetailAsync(TicketFixture.Pos1, 2, CancellationToken.None))!;
        var ex = Assert.Throws<MiddlewareException>(() => RefundTicketSale.For(refundDetail));
        Assert.Equal(ErrorCode.InvalidRequest, ex.Code);
    }

    [Fact]
    public async Task Refund_ticket_is_uploaded_through_the_outbox()
    {
        await using var f = new TicketFixture();
        await SellAndRefundAsync(f);
        var (sent, dead) = await f.DrainReadyAsync();
        Assert.Equal((2, 0), (sent, dead));
        var uploaded = f.Uploader.Calls.Select(c => (c.Ticket.IdTicketEntete, c.Ticket.CodeEvenement, c.Online)).OrderBy(c => c.IdTicketEntete).ToArray();
        Assert.Equal([("1", "VT", false), ("2", "RB", false)], uploaded);
    }
}
