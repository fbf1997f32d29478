using System.Text.Json;
using Middleware.Client;
using Middleware.Domain.Money;
using Middleware.Payments.Chaos;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;

namespace Middleware.Host.Tests;

/// <summary>
/// The host process dies (SIGKILL, as <c>kill -9</c> or a power cut) between Izly's debit and the ticket; the restarted
/// host, on the same data folder, finishes the sale: the ticket is committed once and sent to VEM, the customer is
/// debited once. The real host executable runs as a child process with a chaos crash point armed
/// (<see cref="ChaosOptions"/>); Izly is a sandbox in this test process, so that it outlives the host like the real one.
/// </summary>
public sealed class SaleCrashRecoveryTests
{
    [Theory]
    [InlineData(CrashPoints.AfterIzlyDebit)]      // Izly has the debit, the journal does not know it: recovered by clientOrderId
    [InlineData(CrashPoints.AfterDebitJournaled)] // the journal says approved, the sale is not marked paid
    [InlineData(CrashPoints.BeforeTicketCommit)]  // the sale is paid, its ticket is not in the outbox
    public async Task A_host_killed_between_the_debit_and_the_ticket_finishes_the_sale_at_restart_without_paying_twice(string crashPoint)
    {
        var root = SaleHost.NewRoot();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(root, "sandbox.db") });
        var pipeName = "mwc-" + Guid.NewGuid().ToString("N")[..10];
        var requestId = Guid.NewGuid();
        string saleId;
        decimal total;

        using (var doomed = ChildHost.Start(root, pipeName, sandbox, crashPoint))
        {
            await using var till = await doomed.ConnectTillAsync(pipeName);
            Assert.True((await till.CallAsync("reference.sync")).GetProperty("succeeded").GetBoolean());
            saleId = await TillSteps.OpenMealAsync(till);
            total = (await TillSteps.IdentifyQrAsync(till, saleId, sandbox.IssueQrCode("1000001"))).GetProperty("totalTtc").GetDecimal();

            // The host dies while answering: the till sees the connection drop, not an answer.
            await Assert.ThrowsAnyAsync<Exception>(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId));
            Assert.True(doomed.Process.WaitForExit(30_000), "the host should have died at the crash point");
            Assert.Equal(137, doomed.Process.ExitCode); // 128 + SIGKILL: no graceful stop ran
            Assert.Contains($"crash point {crashPoint}", doomed.Output, StringComparison.Ordinal);
            // Program.cs set SQLite's process-wide settings before any store opened (SqliteProcessSettings).
            Assert.Contains("SQLite memory statistics off", doomed.Output, StringComparison.Ordinal);
        }

        // Izly took the money once; VEM has nothing yet.
        var debit = Assert.Single(await sandbox.GetTransactionsAsync());
        Assert.Equal(1525 - Euro.ToCents(total), await sandbox.GetBalanceAsync("1000001"));
        Assert.Empty(await sandbox.GetTicketsAsync());

        using (var restarted = ChildHost.Start(root, pipeName, sandbox, crashPoint: null))
        {
            await using var till = await restarted.ConnectTillAsync(pipeName);
            // Recovery at start finishes the sale by itself.
            var sale = await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(till, saleId), s => s.GetProperty("state").GetString() == "Committed",
                TimeSpan.FromSeconds(45), "recovery to commit the sale");
            var payment = sale.GetProperty("payment");
            Assert.Equal("Approved", payment.GetProperty("state").GetString());
            Assert.Equal(debit.IdTransactionIzly, payment.GetProperty("idTransactionIzly").GetString());

            // The till, reconnected, retries its payment with the same request id: the same sale, not a second debit.
            var retried = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId);
            Assert.Equal("Committed", retried.GetProperty("state").GetString());
            Assert.Equal(sale.GetProperty("ticket").GetProperty("idTicketEntete").GetString(), retried.GetProperty("ticket").GetProperty("idTicketEntete").GetString());

            var tickets = await TillSteps.WaitForAsync(() => sandbox.GetTicketsAsync(), l => l.Count > 0, TimeSpan.FromSeconds(60), "the ticket in VEM");
            var stored = Assert.Single(tickets);
            Assert.Equal(sale.GetProperty("ticket").GetProperty("idTicketEntete").GetString(), stored.IdTicketEntete);
            var reglement = Assert.Single(JsonDocument.Parse(stored.Json).RootElement.GetProperty("listeReglements").EnumerateArray());
            Assert.Equal(debit.IdTransactionIzly, reglement.GetProperty("idTransactionIzly").GetString());
            Assert.Equal(total, reglement.GetProperty("montant").GetDecimal());

            Assert.Single(await sandbox.GetTransactionsAsync());
            Assert.Equal(1525 - Euro.ToCents(total), await sandbox.GetBalanceAsync("1000001"));
            restarted.Stop();
        }
    }
}
