using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Middleware.Domain.Money;
using Middleware.Payments.Sales;

namespace Middleware.Host.Tests;

/// <summary>
/// An IzlyPay web payment from the till to VEM: the till starts it over the pipe, a real headless Chromium logs in and
/// confirms on the sandbox's Izly page, the middleware's own polling of the verification call settles it (no callback:
/// tills on a LAN have none, §8), and the ticket reaches VEM with the IzlyPay fields of §4.
/// </summary>
public sealed class IzlyPaySaleEndToEndTests
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server"];

    [Fact]
    public async Task A_web_payment_confirmed_in_a_browser_is_settled_by_polling_and_its_online_ticket_reaches_vem()
    {
        await using var host = await SaleHost.StartAsync();
        await using var till = await host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        // The customer orders as a student of the online-ordering app (8024/1).
        var priced = await till.CallMutatingAsync("sale.setProfile", new { saleId, codeSociete = 8024, codeTarif = 1 });
        var total = priced.GetProperty("totalTtc").GetDecimal();
        Assert.True(total > 0);

        var started = await till.CallMutatingAsync("izlypay.start", new { saleId });
        var operationId = started.GetProperty("operationId").GetString()!;
        var url = started.GetProperty("paymentUrl").GetString()!;
        Assert.Equal(total, started.GetProperty("amount").GetDecimal());
        Assert.StartsWith(host.Sandbox.BaseUrl.ToString(), url, StringComparison.Ordinal);
        var waiting = await TillSteps.GetSaleAsync(till, saleId);
        Assert.Equal("Paying", waiting.GetProperty("state").GetString());
        Assert.Equal("izlypay", waiting.GetProperty("paymentMethod").GetString());

        // The customer pays on Izly's page, in a real browser.
        var payer = host.Sandbox.Seed.RightHolder("1000015");
        var before = await host.Sandbox.GetBalanceAsync(payer.Identifier);
        await PayInBrowserAsync(url, payer.Email, payer.Password, total);

        // Nobody tells the middleware: its background pass polls Izly's verification and commits the sale.
        var committed = await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(till, saleId),
            s => s.GetProperty("state").GetString() == "Committed", TimeSpan.FromSeconds(45), "the web payment to be settled by polling");
        var payment = committed.GetProperty("payment");
        Assert.Equal("Approved", payment.GetProperty("state").GetString());
        Assert.Equal(operationId, payment.GetProperty("idTransactionIzly").GetString());
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("balanceAfter").ValueKind); // IzlyPay does not tell it
        Assert.Equal(before - Euro.ToCents(total), await host.Sandbox.GetBalanceAsync(payer.Identifier));
        var web = Assert.Single(await host.Sandbox.GetWebPaymentsAsync());
        Assert.Equal((1, payer.Identifier, Euro.ToCents(total)), (web.Status, web.Identifier, web.AmountCents));

        // §4, IzlyPay: payment 9 with the operation id, neither card nor QR code, the customer's code, sent as an online order.
        var idTicket = committed.GetProperty("ticket").GetProperty("idTicketEntete").GetString()!;
        var tickets = await TillSteps.WaitForAsync(() => host.Sandbox.GetTicketsAsync(SaleHost.Till), l => l.Count > 0, TimeSpan.FromSeconds(60), "the ticket in VEM");
        var stored = Assert.Single(tickets);
        Assert.Equal(idTicket, stored.IdTicketEntete);
        Assert.True(stored.VersCommandeEnLigne);
        var ticket = JsonDocument.Parse(stored.Json).RootElement;
        var reglement = Assert.Single(ticket.GetProperty("listeReglements").EnumerateArray());
        Assert.Equal(9, reglement.GetProperty("codeReglement").GetInt32());
        Assert.Equal(total, reglement.GetProperty("montant").GetDecimal());
        Assert.Equal(operationId, reglement.GetProperty("idTransactionIzly").GetString());
        Assert.False(HasValue(reglement, "idSupport"));
        Assert.False(HasValue(reglement, "qrCode"));
        Assert.False(HasValue(reglement, "numeroApplicatif"));
        var complementaire = ticket.GetProperty("complementaire");
        Assert.Equal(payer.Identifier, complementaire.GetProperty("codeClient").GetString());
        Assert.Equal(8024, complementaire.GetProperty("codeSocieteClient").GetInt32());
        Assert.Equal(1, complementaire.GetProperty("tarifClient").GetInt32());
        Assert.False(HasValue(complementaire, "idSupport"));
    }

    [Fact]
    public async Task A_customer_who_confirms_after_the_recovery_pass_outlived_SettleDelay_still_gets_the_sale_committed_once()
    {
        // SettleDelay of 2 s (default 2 min) with a pass every second: the background pass and payment.resolve meet the
        // waiting web payment well past SettleDelay, where a card/QR debit unknown to Izly would be declared refused.
        var settleDelay = TimeSpan.FromSeconds(2);
        // The debit budgets shrink with it, so the timeouts still nest (checked at start).
        await using var host = await SaleHost.StartAsync("--Payments:SettleDelay=00:00:02", "--Payments:DebitTimeout=00:00:00.700",
            "--CrousApis:Izly:DebitTimeout=00:00:00.500", "--PluginHost:CancelGrace=00:00:00.300");
        await using var till = await host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        var total = (await till.CallMutatingAsync("sale.setProfile", new { saleId, codeSociete = 8024, codeTarif = 1 })).GetProperty("totalTtc").GetDecimal();
        var started = await till.CallMutatingAsync("izlypay.start", new { saleId });
        var startedAt = DateTimeOffset.UtcNow; // after the payment was journaled
        var operationId = started.GetProperty("operationId").GetString()!;
        var paymentRequestId = (await TillSteps.GetSaleAsync(till, saleId)).GetProperty("payment").GetProperty("requestId").GetString()!;

        // The customer is still on Izly's page past SettleDelay plus several background passes.
        await TillSteps.WaitForAsync(() => Task.FromResult(DateTimeOffset.UtcNow), now => now - startedAt > settleDelay + TimeSpan.FromSeconds(3),
            TimeSpan.FromSeconds(30), "SettleDelay and a few recovery passes to go by");
        // One more pass run here, to the end, and the cashier's "vérifier le paiement": both must only ask the verification.
        await host.Services.GetRequiredService<SaleService>().CompleteUnfinishedAsync(default);
        var resolved = await till.CallAsync("payment.resolve", new { paymentRequestId });
        Assert.Equal("Pending", resolved.GetProperty("state").GetString());
        var stillWaiting = await TillSteps.GetSaleAsync(till, saleId);
        Assert.Equal("Paying", stillWaiting.GetProperty("state").GetString());
        Assert.Equal("Pending", stillWaiting.GetProperty("payment").GetProperty("state").GetString());

        // Now the customer confirms: the money is taken, so the sale must be committed with its ticket, once.
        var payer = host.Sandbox.Seed.RightHolder("1000015");
        var before = await host.Sandbox.GetBalanceAsync(payer.Identifier);
        await PayInBrowserAsync(started.GetProperty("paymentUrl").GetString()!, payer.Email, payer.Password, total);

        var committed = await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(till, saleId),
            s => s.GetProperty("state").GetString() == "Committed", TimeSpan.FromSeconds(45), "the late web payment to be settled");
        Assert.Equal("Approved", committed.GetProperty("payment").GetProperty("state").GetString());
        Assert.Equal(operationId, committed.GetProperty("payment").GetProperty("idTransactionIzly").GetString());
        Assert.Equal(before - Euro.ToCents(total), await host.Sandbox.GetBalanceAsync(payer.Identifier));
        var idTicket = committed.GetProperty("ticket").GetProperty("idTicketEntete").GetString()!;
        var tickets = await TillSteps.WaitForAsync(() => host.Sandbox.GetTicketsAsync(SaleHost.Till), l => l.Count > 0, TimeSpan.FromSeconds(60), "the ticket in VEM");
        Assert.Equal(idTicket, Assert.Single(tickets).IdTicketEntete);
        Assert.Equal("Approved", (await till.CallAsync("payment.status", new { paymentRequestId })).GetProperty("state").GetString());
    }

    // The customer logs in and confirms on the sandbox's Izly page in a real headless Chromium.
    private static async Task PayInBrowserAsync(string url, string email, string password, decimal total)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(url);
        await page.FillAsync("#login", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#submit-login");
        Assert.Contains(total.ToString("0.00", CultureInfo.GetCultureInfo("fr-FR")), await page.TextContentAsync("#amount") ?? "", StringComparison.Ordinal);
        await page.ClickAsync("#confirm");
        await page.WaitForSelectorAsync("#result[data-status=\"1\"]");
    }

    private static bool HasValue(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
}
