using Dapper;
using Microsoft.Data.Sqlite;

namespace Middleware.Host.Tests;

/// <summary>
/// What a power cut may take from a paid sale, and why the till's retry still gets the same sale: <c>sale.pay</c> keeps
/// its answer at process-crash durability (core/Pipe/PROTOCOL.md, section 3) because the payment intent and the ticket
/// are on disk, keyed by its request id, before it answers. The writes that are not flushed (the till's stored answer,
/// Izly's outcome in the journal, the sale's Paid and Committed states) are rolled back here by hand, as a power cut
/// may leave them; the retry must find the debit at Izly and the ticket in the outbox, never pay or number again.
/// </summary>
public sealed class SalePowerCutTests
{
    [Fact]
    public async Task A_pay_answer_lost_with_everything_not_flushed_is_found_again_by_the_retry_with_one_debit_and_one_ticket()
    {
        await using var host = await SaleHost.StartAsync();
        await using var till = await host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, host.Sandbox.IssueQrCode("1000015"));
        var before = await host.Sandbox.GetBalanceAsync("1000015");
        var requestId = Guid.NewGuid();
        var first = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId);
        Assert.Equal("Committed", first.GetProperty("state").GetString());

        var rid = requestId.ToString("D");
        await using (var idempotency = new SqliteConnection($"Data Source={Path.Combine(host.Root, "idempotency.db")}"))
        {
            Assert.Equal(1, await idempotency.ExecuteAsync("DELETE FROM idempotency WHERE request_id=@rid", new { rid }));
        }

        await using (var payments = new SqliteConnection($"Data Source={Path.Combine(host.Root, "payments.db")}"))
        {
            Assert.Equal(1, await payments.ExecuteAsync(
                "UPDATE payments SET state='Pending', id_transaction=NULL, balance_after=NULL WHERE request_id=@rid AND state='Approved'", new { rid }));
        }

        // The sales share the journal's file by default (SalesOptions.DatabasePath).
        await using (var sales = new SqliteConnection($"Data Source={Path.Combine(host.Root, "payments.db")}"))
        {
            Assert.Equal(1, await sales.ExecuteAsync(
                "UPDATE sales SET state='Paying', body=json_remove(json_set(body, '$.state', 'Paying'), '$.ticket') WHERE id=@saleId AND state='Committed'", new { saleId }));
        }

        var retried = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId);

        Assert.Equal("Committed", retried.GetProperty("state").GetString());
        Assert.Equal(first.GetProperty("ticket").GetProperty("numeroTicket").GetString(), retried.GetProperty("ticket").GetProperty("numeroTicket").GetString());
        Assert.Equal(first.GetProperty("payment").GetProperty("idTransactionIzly").GetString(), retried.GetProperty("payment").GetProperty("idTransactionIzly").GetString());
        Assert.Equal("Approved", retried.GetProperty("payment").GetProperty("state").GetString());
        var debit = Assert.Single(await host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000015");
        Assert.Equal(before - debit.AmountCents, await host.Sandbox.GetBalanceAsync("1000015"));
        var id = first.GetProperty("ticket").GetProperty("idTicketEntete").GetString();
        var tickets = await TillSteps.WaitForAsync(() => host.Sandbox.GetTicketsAsync(SaleHost.Till), list => list.Any(t => t.IdTicketEntete == id),
            TimeSpan.FromSeconds(60), $"ticket {id} in VEM");
        Assert.Single(tickets);
    }
}
