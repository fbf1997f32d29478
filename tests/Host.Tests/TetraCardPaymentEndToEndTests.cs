using System.Globalization;
using System.Text.Json;
using Middleware.Client;
using Middleware.Domain.Money;
using Middleware.Sandbox;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 15, CB through the Tetra: a point of sale configured with the terminal (<c>PointsOfSale:0:Terminal</c>) takes
/// <c>sale.pay</c> <c>"cb"</c> on the simulated terminal (Concert E+ over a socat pseudo-terminal, through the real host's
/// serial link service), the ticket at the sandbox's VEM says <c>codeReglement</c> 4 with the amount, the terminal's
/// refusals reach the till as clear errors, and <c>payment.cancel</c> refunds through the terminal (Concert credit). Then
/// the host is killed (SIGKILL) while the terminal waits for the PIN: after the restart the payment is Unknown, never
/// asked again, and the cashier settles it from the receipt with <c>payment.resolve</c>.
/// </summary>
public sealed class TetraCardPaymentEndToEndTests
{
    private const string Terminal = TetraSite.Terminal;

    [Fact]
    public async Task A_cb_sale_is_taken_on_the_tetra_its_ticket_says_cb_refusals_are_clear_and_a_refund_is_a_credit_on_the_terminal()
    {
        await using var tetra = await TetraSimulator.StartAsync();
        var root = SaleHost.NewRoot();
        var pluginsFile = await TetraSite.WritePluginsFileAsync(root, tetra.TerminalPath);
        await using var host = await SaleHost.StartAsync($"--PluginsFile={pluginsFile}", $"--Scripting:ScriptsRoot={Path.Combine(SaleHost.RepositoryRoot(), "scripts")}",
            $"--PointsOfSale:0:Terminal={Terminal}", $"--PointsOfSale:0:Readers:0={Terminal}");
        await using var till = await host.ConnectAsync();
        await WaitForTerminalAsync(till);

        // Refused, then not completed: nothing taken, the sale stays open for another try.
        var saleId = await TillSteps.OpenMealAsync(till);
        tetra.SetBehaviour(new TetraBehaviour { Payment = TetraPaymentBehaviour.Refused });
        var refused = await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" }, Guid.NewGuid()));
        Assert.Equal(1401, refused.Code);
        tetra.SetBehaviour(new TetraBehaviour { Payment = TetraPaymentBehaviour.NotCompleted });
        var notCompleted = await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" }, Guid.NewGuid()));
        Assert.Equal(1405, notCompleted.Code);
        Assert.Equal("Open", (await TillSteps.GetSaleAsync(till, saleId)).GetProperty("state").GetString());

        // Accepted: the sale is committed with the terminal's report (card number masked) for the card receipt.
        tetra.SetBehaviour(new TetraBehaviour { Payment = TetraPaymentBehaviour.Accepted });
        var requestId = Guid.NewGuid();
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" }, requestId);
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        var total = paid.GetProperty("totalTtc").GetDecimal();
        var payment = paid.GetProperty("payment");
        Assert.Equal(("terminal", "Approved", Terminal), (payment.GetProperty("channel").GetString(), payment.GetProperty("state").GetString(), payment.GetProperty("terminal").GetString()));
        var report = payment.GetProperty("terminalReport").GetString()!;
        Assert.Contains("AUTO 123456", report, StringComparison.Ordinal);
        Assert.DoesNotContain("4970100000000003", report, StringComparison.Ordinal);
        var debit = tetra.Requests[^1];
        Assert.Equal(34, debit.Length);
        Assert.Equal("14" + Euro.ToCents(total).ToString("D8", CultureInfo.InvariantCulture), debit[..10]); // till 14, the amount in cents
        Assert.Equal('0', debit[12]); // a debit
        Assert.Equal(3, tetra.Requests.Count);

        var ticket = Assert.Single(await TillSteps.WaitForAsync(() => host.Sandbox.GetTicketsAsync(SaleHost.Till), l => l.Count > 0, TimeSpan.FromSeconds(60), "the ticket at VEM"));
        Assert.Equal(paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString(), ticket.IdTicketEntete);
        var sent = JsonDocument.Parse(ticket.Json).RootElement;
        var reglement = Assert.Single(sent.GetProperty("listeReglements").EnumerateArray());
        Assert.Equal(4, reglement.GetProperty("codeReglement").GetInt32());
        Assert.Equal(total, reglement.GetProperty("montant").GetDecimal());
        // The software's id, as VEM's caisse resource gives it (issue 16): not the unset Tickets:IdLogiciel option.
        Assert.Equal(Sandbox.Seed.SandboxSeed.IdLogiciel, sent.GetProperty("complementaire").GetProperty("idLogiciel").GetInt32());

        // The same request again: the same sale, the terminal not asked again.
        Assert.Equal("Committed", (await till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" }, requestId)).GetProperty("state").GetString());
        Assert.Equal(3, tetra.Requests.Count);

        // Refund the same day: a credit of the same amount on the terminal.
        var cancelled = await till.CallMutatingAsync("payment.cancel", new { paymentRequestId = requestId });
        Assert.Equal("Cancelled", cancelled.GetProperty("state").GetString());
        var credit = tetra.Requests[^1];
        Assert.Equal(debit[..10], credit[..10]);
        Assert.Equal('1', credit[12]); // a credit
        Assert.Equal(4, tetra.Requests.Count);
        // The refund reaches VEM as a refund ticket (RB) of its own, read back over the sandbox's HTTP admin API.
        var refundTicket = cancelled.GetProperty("refundTicket").GetProperty("idTicketEntete").GetString();
        using var vem = new HttpClient { BaseAddress = host.Sandbox.BaseUrl };
        var held = await TillSteps.WaitForAsync(async () => (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement>(vem, $"_sandbox/tickets?appId={SaleHost.Till}"))
            .EnumerateArray().Select(t => t.GetProperty("ticket").Clone()).ToList(), l => l.Count >= 2, TimeSpan.FromSeconds(60), "the refund ticket at VEM");
        var rb = Assert.Single(held, t => t.GetProperty("codeEvenement").GetString() == "RB");
        Assert.Equal(refundTicket, rb.GetProperty("idTicketEntete").GetString());
        var rbReglement = Assert.Single(rb.GetProperty("listeReglements").EnumerateArray());
        Assert.Equal((4, -total), (rbReglement.GetProperty("codeReglement").GetInt32(), rbReglement.GetProperty("montant").GetDecimal()));
        Assert.All(rb.GetProperty("listeLignes").EnumerateArray(), l => Assert.True(l.GetProperty("quantite").GetInt32() < 0));
        Assert.Equal((ticket.IdTicketEntete, ticket.NumeroTicket),
            (rb.GetProperty("complementaire").GetProperty("idTicketEnteteOrigine").GetString(), rb.GetProperty("complementaire").GetProperty("numeroTicketOrigine").GetString()));

        // A slow PIN (12 s, past PluginHost:CallTimeout's 10 s): an answer like any other, the plugin stays in service.
        tetra.SetBehaviour(new TetraBehaviour { Line = TetraLineBehaviour.Slow, SlowDelay = TimeSpan.FromSeconds(12) });
        var slowSale = await TillSteps.OpenMealAsync(till);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("Committed", (await till.CallMutatingAsync("sale.pay", new { saleId = slowSale, method = "cb" }, Guid.NewGuid())).GetProperty("state").GetString());
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(10), $"the slow answer came after {clock.Elapsed}");
        Assert.Equal("Active", (await till.GetPluginStatusAsync()).Single(p => p.Id == "terminal.tetra").State);
    }

    [Fact]
    public async Task A_host_killed_while_the_tetra_waits_for_the_pin_leaves_an_unknown_payment_never_taken_twice_settled_from_the_receipt()
    {
        await using var tetra = await TetraSimulator.StartAsync();
        var root = SaleHost.NewRoot();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(root, "sandbox.db") });
        var pluginsFile = await TetraSite.WritePluginsFileAsync(root, tetra.TerminalPath);
        var pipeName = "mwt-" + Guid.NewGuid().ToString("N")[..10];
        string[] site = [$"--PointsOfSale:0:Terminal={Terminal}", $"--PointsOfSale:0:Readers:0={Terminal}", $"--Scripting:ScriptsRoot={Path.Combine(SaleHost.RepositoryRoot(), "scripts")}"];
        var requestId = Guid.NewGuid();
        string saleId;
        decimal total;

        using (var doomed = ChildHost.Start(root, pipeName, sandbox, crashPoint: null, pluginsFile, site))
        {
            await using var till = await doomed.ConnectTillAsync(pipeName);
            Assert.True((await till.CallAsync("reference.sync")).GetProperty("succeeded").GetBoolean());
            await WaitForTerminalAsync(till);
            saleId = await TillSteps.OpenMealAsync(till);
            total = (await TillSteps.GetSaleAsync(till, saleId)).GetProperty("totalTtc").GetDecimal();

            // The customer is typing the PIN (the terminal answers a minute later) when the host dies.
            tetra.SetBehaviour(new TetraBehaviour { Line = TetraLineBehaviour.Slow, SlowDelay = TimeSpan.FromSeconds(60) });
            var paying = till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" }, requestId);
            await TillSteps.WaitForAsync(() => Task.FromResult(tetra.Requests.Count), n => n == 1, TimeSpan.FromSeconds(20), "the payment at the terminal");
            doomed.Process.Kill(entireProcessTree: true); // SIGKILL: no graceful stop runs
            Assert.True(doomed.Process.WaitForExit(30_000));
            Assert.Equal(137, doomed.Process.ExitCode);
            await Assert.ThrowsAnyAsync<Exception>(() => paying);
        }

        tetra.SetBehaviour(new TetraBehaviour());
        using (var restarted = ChildHost.Start(root, pipeName, sandbox, crashPoint: null, pluginsFile, site))
        {
            await using var till = await restarted.ConnectTillAsync(pipeName);
            // Recovery marks it Unknown: the terminal may have taken the money, and Concert cannot be asked.
            var sale = await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(till, saleId),
                s => s.GetProperty("payment").ValueKind == JsonValueKind.Object && s.GetProperty("payment").GetProperty("state").GetString() == "Unknown",
                TimeSpan.FromSeconds(45), "recovery to mark the payment unknown");
            Assert.Equal("Paying", sale.GetProperty("state").GetString());

            // The till's retry and another payment of the sale are both refused: never taken twice.
            Assert.Equal(1402, (await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" }, requestId))).Code);
            Assert.Equal(1411, (await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" }, Guid.NewGuid()))).Code);
            Assert.Single(tetra.Requests);
            Assert.Empty(await sandbox.GetTicketsAsync());

            // The receipt says accepted: the cashier settles it, recorded as this till's decision; the CB ticket goes to VEM once.
            var resolved = await till.CallAsync("payment.resolve", new { paymentRequestId = requestId, outcome = "accepted", report = "AUTO 123456" });
            Assert.Equal("Approved", resolved.GetProperty("state").GetString());
            Assert.Contains("5-1-9-8-14", resolved.GetProperty("resolvedBy").GetString(), StringComparison.Ordinal);
            var committed = await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(till, saleId), s => s.GetProperty("state").GetString() == "Committed",
                TimeSpan.FromSeconds(30), "the sale committed");
            var tickets = await TillSteps.WaitForAsync(() => sandbox.GetTicketsAsync(), l => l.Count > 0, TimeSpan.FromSeconds(60), "the ticket in VEM");
            var stored = Assert.Single(tickets);
            Assert.Equal(committed.GetProperty("ticket").GetProperty("idTicketEntete").GetString(), stored.IdTicketEntete);
            var reglement = Assert.Single(JsonDocument.Parse(stored.Json).RootElement.GetProperty("listeReglements").EnumerateArray());
            Assert.Equal(4, reglement.GetProperty("codeReglement").GetInt32());
            Assert.Equal(total, reglement.GetProperty("montant").GetDecimal());
            Assert.Single(tetra.Requests);
            Assert.Empty(await sandbox.GetTransactionsAsync()); // Izly never involved
            restarted.Stop();
        }
    }

    private static async Task WaitForTerminalAsync(MiddlewareClient till)
    {
        try
        {
            await TillSteps.WaitForAsync(() => till.ListReadersAsync(), rs => rs.Any(r => r.Name == Terminal && r.State != "Unavailable"),
                TimeSpan.FromSeconds(30), "the Tetra listed as a reader");
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}; readers: {string.Join("; ", await till.ListReadersAsync())}; plugins: {string.Join("; ", await till.GetPluginStatusAsync())}");
        }
    }
}
