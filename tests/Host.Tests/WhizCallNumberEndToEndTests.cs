using Middleware.Client;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 16: a till gets a Whiz call number from PROTOCOL.md alone. Through the real pipe, as the document says: a
/// take-away sale (distribution 2) paid, then <c>whiz.status</c> with its ticket's id polled until the order is
/// <c>Created</c>: its <c>numeroAppel</c> is the one the sandbox's Whiz gave; <c>whiz.update</c> sends a status on.
/// </summary>
public sealed class WhizCallNumberEndToEndTests(SaleHostFixture fixture) : IClassFixture<SaleHostFixture>
{
    private SaleHost Host => fixture.Host;

    [Fact]
    public async Task A_take_away_sale_gets_its_call_number_by_whiz_status_and_an_on_site_sale_has_none()
    {
        await using var till = await Host.ConnectAsync();
        var sale = await till.CallMutatingAsync("sale.open", new { });
        var saleId = sale.GetProperty("saleId").GetString()!;
        await till.CallMutatingAsync("sale.setBasket", new { saleId, distribution = 2, lines = new[] { new { codeArticle = 1201, quantity = 1 } } });
        var quote = await till.CallAsync("sale.quote", new { saleId });
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "cb", amount = quote.GetProperty("totals").GetProperty("cb").GetDecimal() });
        var idTicketEntete = paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString()!;

        var order = await TillSteps.WaitForAsync(() => till.CallAsync("whiz.status", new { idTicketEntete }),
            o => o.GetProperty("state").GetString() != "Queued", TimeSpan.FromSeconds(60), "the Whiz order to leave Queued");

        Assert.Equal("Created", order.GetProperty("state").GetString());
        var numeroTicket = paid.GetProperty("ticket").GetProperty("numeroTicket").GetString();
        var atWhiz = Assert.Single(await Host.Sandbox.GetWhizOrdersAsync(), o => o.NumeroTicket == numeroTicket);
        Assert.Equal(atWhiz.NumeroAppel.ToString(System.Globalization.CultureInfo.InvariantCulture), order.GetProperty("numeroAppel").GetString());

        var updated = await till.CallMutatingAsync("whiz.update", new { idTicketEntete, status = "PRETE" });
        Assert.Equal(order.GetProperty("numeroAppel").GetString(), updated.GetProperty("numeroAppel").GetString());
        await TillSteps.WaitForAsync(() => till.CallAsync("whiz.status", new { idTicketEntete }),
            o => o.GetProperty("lastStatus").GetString() == "PRETE", TimeSpan.FromSeconds(60), "Whiz to accept PRETE");

        // An on-site sale is no Whiz order: 1501, as the document says.
        var onSite = await TillSteps.OpenMealAsync(till);
        var onSitePaid = await till.CallMutatingAsync("sale.pay", new { saleId = onSite, method = "cb" });
        var none = await TillSteps.RefusedAsync(() => till.CallAsync("whiz.status", new { idTicketEntete = onSitePaid.GetProperty("ticket").GetProperty("idTicketEntete").GetString() }));
        Assert.Equal(1501, none.Code);
    }
}
