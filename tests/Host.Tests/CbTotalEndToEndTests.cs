using Middleware.Client;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 16: the CB total is known before the till charges its own card terminal. Through the real pipe, on the
/// sandbox's seed and the site's scripts: <c>sale.quote</c> gives each method's total, a CB payment declared with another
/// amount is refused (1412) and leaves the sale open, and the quoted amount commits the ticket VEM receives.
/// </summary>
public sealed class CbTotalEndToEndTests(SaleHostFixture fixture) : IClassFixture<SaleHostFixture>
{
    private SaleHost Host => fixture.Host;

    [Fact]
    public async Task A_till_without_terminal_charges_the_quoted_cb_total_and_another_amount_is_refused_with_the_sale_left_open()
    {
        await using var till = await Host.ConnectAsync();
        var seed = Host.Sandbox.Seed;
        var saleId = await TillSteps.OpenMealAsync(till);
        // A guest (8000/1): the seed's full price of article 1201 and the guest's entry fee.
        var expected = seed.PriceOf(1201, 8000, 1)!.Value + seed.DroitsEntree.Single(d => d.CodeSociete == 8000 && d.CodeTarif == 1).MontantTtc;

        var quote = await till.CallAsync("sale.quote", new { saleId });

        var totals = quote.GetProperty("totals");
        Assert.Equal((expected, expected), (totals.GetProperty("izly").GetDecimal(), totals.GetProperty("cb").GetDecimal()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, quote.GetProperty("terminal").ValueKind);

        var wrong = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "cb", amount = expected - 0.10m }));
        Assert.Equal(1412, wrong.Code);
        Assert.Equal(expected, wrong.Payload!.Value.GetProperty("total").GetDecimal());
        var open = await TillSteps.GetSaleAsync(till, saleId);
        Assert.Equal("Open", open.GetProperty("state").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, open.GetProperty("paymentMethod").ValueKind);

        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "cb", amount = expected });

        Assert.Equal(("Committed", "cb", expected), (paid.GetProperty("state").GetString(), paid.GetProperty("paymentMethod").GetString(), paid.GetProperty("totalTtc").GetDecimal()));
        var idTicket = paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString();
        var received = await TillSteps.WaitForAsync(() => Host.Sandbox.GetTicketsAsync(SaleHost.Till), tickets => tickets.Any(t => t.IdTicketEntete == idTicket), TimeSpan.FromSeconds(60), "the CB ticket at VEM");
        var payment = Assert.Single(received.Single(t => t.IdTicketEntete == idTicket).Ticket.ListeReglements);
        Assert.Equal((4, expected), (payment.CodeReglement, payment.Montant));

        Assert.Equal(1411, (await TillSteps.RefusedAsync(() => till.CallAsync("sale.quote", new { saleId }))).Code);
    }
}
