using System.Net.Http.Json;
using System.Text.Json;
using Middleware.Client;
using Middleware.Domain.Money;
using Middleware.Payments.Chaos;
using Middleware.Sandbox;

namespace Middleware.Host.Tests;

/// <summary>
/// Refunds reach VEM (issue 16): the real host executable as a child process, a till on its pipe, and Izly and VEM played
/// by a sandbox server of this test process, whose records are read back over its HTTP admin API (not from the host).
/// </summary>
public sealed class RefundEndToEndTests
{
    private const string Till = "5-1-9-8-14";
    private const string Guest = "1000011"; // Sophie Garcia, 8000/1 (a guest with an Izly account), 30.00 €

    [Fact]
    public async Task An_izly_sale_and_a_declared_cb_sale_refunded_reach_vem_as_refund_tickets_linked_to_their_sales()
    {
        var root = SaleHost.NewRoot();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(root, "sandbox.db") });
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var pipeName = "mwr-" + Guid.NewGuid().ToString("N")[..10];
        using var host = ChildHost.Start(root, pipeName, sandbox, crashPoint: null);
        await using var till = await host.ConnectTillAsync(pipeName);
        Assert.True((await till.CallAsync("reference.sync")).GetProperty("succeeded").GetBoolean());

        // A guest paying by Izly: the VAT code the till shows is the one VEM receives (the guests' 2, not the article's 1).
        var izlySale = await TillSteps.OpenMealAsync(till);
        var identified = await TillSteps.IdentifyQrAsync(till, izlySale, sandbox.IssueQrCode(Guest));
        Assert.Equal(8000, identified.GetProperty("customer").GetProperty("codeSociete").GetInt32());
        var izlyPay = Guid.NewGuid();
        var izlyPaid = await till.CallMutatingAsync("sale.pay", new { saleId = izlySale, method = "izly" }, izlyPay);
        Assert.Equal("Committed", izlyPaid.GetProperty("state").GetString());
        var izlyTotal = izlyPaid.GetProperty("totalTtc").GetDecimal();
        var shownVat = izlyPaid.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("codeTva").GetInt32()).ToList();
        Assert.All(shownVat, v => Assert.Equal(2, v));
        Assert.Equal(3000 - Euro.ToCents(izlyTotal), await sandbox.GetBalanceAsync(Guest));

        // An anonymous guest paying by CB on the till's own terminal (the point of sale has none): declared.
        var cbSale = await TillSteps.OpenMealAsync(till);
        var cbPay = Guid.NewGuid();
        var cbPaid = await till.CallMutatingAsync("sale.pay", new { saleId = cbSale, method = "cb" }, cbPay);
        Assert.Equal("Committed", cbPaid.GetProperty("state").GetString());
        var cbTotal = cbPaid.GetProperty("totalTtc").GetDecimal();

        // Both refunded the same day; each answer names its refund ticket.
        var izlyRefund = await till.CallMutatingAsync("payment.cancel", new { paymentRequestId = izlyPay });
        Assert.Equal("Cancelled", izlyRefund.GetProperty("state").GetString());
        var izlyRefundTicket = izlyRefund.GetProperty("refundTicket").GetProperty("idTicketEntete").GetString();
        Assert.Equal(3000, await sandbox.GetBalanceAsync(Guest)); // Izly gave the money back
        var cbRefund = await till.CallMutatingAsync("payment.cancel", new { paymentRequestId = cbPay });
        Assert.Equal(("declaredCb", "Cancelled"), (cbRefund.GetProperty("channel").GetString(), cbRefund.GetProperty("state").GetString()));
        var cbRefundTicket = cbRefund.GetProperty("refundTicket").GetProperty("idTicketEntete").GetString();

        // The till's retry is the same refund: no second ticket.
        var again = await till.CallMutatingAsync("payment.cancel", new { paymentRequestId = cbPay });
        Assert.Equal(cbRefundTicket, again.GetProperty("refundTicket").GetProperty("idTicketEntete").GetString());
        var izlyView = await TillSteps.GetSaleAsync(till, izlySale);
        Assert.Equal(("Refunded", izlyRefundTicket), (izlyView.GetProperty("state").GetString(), izlyView.GetProperty("refundTicket").GetProperty("idTicketEntete").GetString()));

        // What VEM holds, asked of the sandbox's own server.
        var held = await TillSteps.WaitForAsync(() => VemTicketsAsync(http), l => l.Count >= 4, TimeSpan.FromSeconds(60), "four tickets in VEM");
        Assert.Equal(4, held.Count);
        Assert.Equal(["VT", "VT", "RB", "RB"], held.Select(t => t.GetProperty("codeEvenement").GetString()));
        var izlyVt = held.Single(t => t.GetProperty("idTicketEntete").GetString() == izlyPaid.GetProperty("ticket").GetProperty("idTicketEntete").GetString());
        var izlyRb = held.Single(t => t.GetProperty("idTicketEntete").GetString() == izlyRefundTicket);
        var cbVt = held.Single(t => t.GetProperty("idTicketEntete").GetString() == cbPaid.GetProperty("ticket").GetProperty("idTicketEntete").GetString());
        var cbRb = held.Single(t => t.GetProperty("idTicketEntete").GetString() == cbRefundTicket);

        Assert.Equal(shownVat, izlyVt.GetProperty("listeLignes").EnumerateArray().Select(l => l.GetProperty("codeTva").GetInt32()));
        AssertRefundOf(izlyVt, izlyRb, 9, -izlyTotal);
        var izlyTransaction = izlyPaid.GetProperty("payment").GetProperty("idTransactionIzly").GetString();
        Assert.Equal(izlyTransaction, Reglement(izlyRb).GetProperty("idTransactionIzly").GetString());
        AssertRefundOf(cbVt, cbRb, 4, -cbTotal);
        Assert.All(held, t => Assert.Equal(39, t.GetProperty("complementaire").GetProperty("idLogiciel").GetInt32()));
        host.Stop();
    }

    [Fact]
    public async Task A_host_killed_after_the_izly_refund_and_before_its_ticket_sends_the_refund_ticket_after_restart()
    {
        var root = SaleHost.NewRoot();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(root, "sandbox.db") });
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var pipeName = "mwk-" + Guid.NewGuid().ToString("N")[..10];
        var pay = Guid.NewGuid();
        string saleId;
        string saleTicket;
        decimal total;

        using (var doomed = ChildHost.Start(root, pipeName, sandbox, CrashPoints.AfterRefundJournaled))
        {
            await using var till = await doomed.ConnectTillAsync(pipeName);
            Assert.True((await till.CallAsync("reference.sync")).GetProperty("succeeded").GetBoolean());
            saleId = await TillSteps.OpenMealAsync(till);
            await TillSteps.IdentifyQrAsync(till, saleId, sandbox.IssueQrCode(Guest));
            var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, pay);
            saleTicket = paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString()!;
            total = paid.GetProperty("totalTtc").GetDecimal();

            await Assert.ThrowsAnyAsync<Exception>(() => till.CallMutatingAsync("payment.cancel", new { paymentRequestId = pay }));
            Assert.True(doomed.Process.WaitForExit(30_000), "the host should have died at the crash point");
            Assert.Equal(137, doomed.Process.ExitCode);
            Assert.Contains($"crash point {CrashPoints.AfterRefundJournaled}", doomed.Output, StringComparison.Ordinal);
        }

        // Izly refunded; VEM has the sale only (at most: its upload may not have happened before the kill).
        Assert.Equal(3000, await sandbox.GetBalanceAsync(Guest));
        Assert.DoesNotContain(await VemTicketsAsync(http), t => t.GetProperty("codeEvenement").GetString() == "RB");

        using (var restarted = ChildHost.Start(root, pipeName, sandbox, crashPoint: null))
        {
            await using var till = await restarted.ConnectTillAsync(pipeName);
            var sale = await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(till, saleId), s => s.GetProperty("state").GetString() == "Refunded",
                TimeSpan.FromSeconds(45), "recovery to commit the refund ticket");
            var refundTicket = sale.GetProperty("refundTicket").GetProperty("idTicketEntete").GetString();

            // The till's retry after the crash: the same refund ticket, Izly not asked to refund twice.
            var retried = await till.CallMutatingAsync("payment.cancel", new { paymentRequestId = pay });
            Assert.Equal(refundTicket, retried.GetProperty("refundTicket").GetProperty("idTicketEntete").GetString());

            var held = await TillSteps.WaitForAsync(() => VemTicketsAsync(http), l => l.Count >= 2, TimeSpan.FromSeconds(60), "the sale and its refund in VEM");
            Assert.Equal(2, held.Count);
            var rb = held.Single(t => t.GetProperty("codeEvenement").GetString() == "RB");
            Assert.Equal(refundTicket, rb.GetProperty("idTicketEntete").GetString());
            AssertRefundOf(held.Single(t => t.GetProperty("idTicketEntete").GetString() == saleTicket), rb, 9, -total);
            Assert.Equal(3000, await sandbox.GetBalanceAsync(Guest));
            restarted.Stop();
        }
    }

    // The refund gives back every line of the sale (quantities and totals negated, unit prices and VAT unchanged), for
    // the sale's montant, and names it.
    private static void AssertRefundOf(JsonElement sale, JsonElement refund, int codeReglement, decimal montant)
    {
        var sold = sale.GetProperty("listeLignes").EnumerateArray().ToList();
        var given = refund.GetProperty("listeLignes").EnumerateArray().ToList();
        Assert.Equal(sold.Count, given.Count);
        for (var i = 0; i < sold.Count; i++)
        {
            Assert.Equal(-sold[i].GetProperty("quantite").GetInt32(), given[i].GetProperty("quantite").GetInt32());
            Assert.True(given[i].GetProperty("quantite").GetInt32() < 0);
            Assert.Equal(sold[i].GetProperty("prixUnitaireTtc").GetDecimal(), given[i].GetProperty("prixUnitaireTtc").GetDecimal());
            Assert.Equal(sold[i].GetProperty("codeTva").GetInt32(), given[i].GetProperty("codeTva").GetInt32());
            Assert.Equal(-sold[i].GetProperty("totalTtc").GetDecimal(), given[i].GetProperty("totalTtc").GetDecimal());
            Assert.Equal(-sold[i].GetProperty("totalHt").GetDecimal(), given[i].GetProperty("totalHt").GetDecimal());
        }

        Assert.Equal((codeReglement, montant), (Reglement(refund).GetProperty("codeReglement").GetInt32(), Reglement(refund).GetProperty("montant").GetDecimal()));
        Assert.Equal(-Reglement(sale).GetProperty("montant").GetDecimal(), montant);
        var link = refund.GetProperty("complementaire");
        Assert.Equal(sale.GetProperty("idTicketEntete").GetString(), link.GetProperty("idTicketEnteteOrigine").GetString());
        Assert.Equal(sale.GetProperty("numeroTicket").GetString(), link.GetProperty("numeroTicketOrigine").GetString());
    }

    private static JsonElement Reglement(JsonElement ticket) => Assert.Single(ticket.GetProperty("listeReglements").EnumerateArray());

    private static async Task<IReadOnlyList<JsonElement>> VemTicketsAsync(HttpClient sandbox)
    {
        var rows = await sandbox.GetFromJsonAsync<JsonElement>($"_sandbox/tickets?appId={Till}");
        return [.. rows.EnumerateArray().Select(r => r.GetProperty("ticket").Clone())];
    }
}
