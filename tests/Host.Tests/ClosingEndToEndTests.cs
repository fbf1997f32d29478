using System.Diagnostics;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 16 through the real parts: two tills on two points of sale of one host sell by Izly (QR) and declared CB, one
/// Izly sale is refunded; the host's day close matches what the sandbox's VEM stored and what its Izly took, total for
/// total; the reconciliation finds nothing to do; the journal verifies; mwctl prints the reconciled closing as HTML.
/// </summary>
public sealed class ClosingEndToEndTests
{
    private const string SecondTill = "5-1-9-8-15";

    [Fact]
    public async Task The_host_day_close_matches_the_sandboxs_records_and_reconciles_with_nothing_to_do()
    {
        await using var host = await SaleHost.StartAsync(
            $"--PointsOfSale:1:Id={SecondTill}", "--PointsOfSale:1:Label=RU La Doua - caisse 15", "--PointsOfSale:1:TimeZone=Europe/Paris",
            "--PointsOfSale:1:ScriptSite=crous-5/ru-9");
        await using var till = await host.ConnectAsync();
        await using var other = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
        {
            PipeName = host.PipeName, PointOfSale = SecondTill, ConnectTimeout = TimeSpan.FromSeconds(20), CallTimeout = TimeSpan.FromSeconds(60),
        });
        await other.CallAsync("reference.sync", null);

        var refunded = await SellByQrAsync(host, till, "1000016");
        await SellByQrAsync(host, other, "1000017");
        await SellByQrAsync(host, other, "1000018");
        var cbSale = await TillSteps.OpenMealAsync(till);
        var cbTotal = (await till.CallAsync("sale.quote", new { saleId = cbSale })).GetProperty("totals").GetProperty("cb").GetDecimal();
        await till.CallMutatingAsync("sale.pay", new { saleId = cbSale, method = "cb", amount = cbTotal });
        var cancelled = await till.CallMutatingAsync("payment.cancel", new { paymentRequestId = refunded });
        Assert.Equal("Cancelled", cancelled.GetProperty("state").GetString());

        // Five tickets at VEM: four sales and the refund.
        var vem = await TillSteps.WaitForAsync(() => host.Sandbox.GetTicketsAsync(), t => t.Count >= 5, TimeSpan.FromSeconds(60), "five tickets at VEM");
        Assert.Equal(5, vem.Count);

        var closing = await till.CallMutatingAsync("closing.close", new { period = "day", scope = "host" });
        Assert.Equal("day/host/1", closing.GetProperty("id").GetString());
        Assert.Equal(["day/5-1-9-8-14/1", "day/5-1-9-8-15/1"], closing.GetProperty("parts").EnumerateArray().Select(p => p.GetString()!).Order());

        // Total for total, from VEM's own records: per payment code, sales and refunds together.
        var vemByCode = vem.SelectMany(t => t.Ticket.ListeReglements).GroupBy(p => p.CodeReglement).ToDictionary(g => g.Key, g => g.Sum(p => p.Montant));
        var closed = Payments(closing.GetProperty("sales")).Concat(Payments(closing.GetProperty("refunds")))
            .GroupBy(p => p.Code).ToDictionary(g => g.Key, g => g.Sum(p => p.Amount));
        Assert.Equal(vemByCode.OrderBy(k => k.Key), closed.OrderBy(k => k.Key));
        Assert.Equal(4, closing.GetProperty("sales").GetProperty("tickets").GetInt32());
        Assert.Equal(1, closing.GetProperty("refunds").GetProperty("tickets").GetInt32());
        Assert.Equal(vem.Sum(t => t.Ticket.ListeReglements.Sum(p => p.Montant)), closing.GetProperty("netTtc").GetDecimal());
        // And what Izly took, from its own records: three debits, one refunded since.
        var izly = (await host.Sandbox.GetTransactionsAsync()).Where(t => t.Status is 1 or 5).Sum(t => t.AmountCents) / 100m;
        Assert.Equal(izly, Payments(closing.GetProperty("sales")).Where(p => p.Code == 9).Sum(p => p.Amount));

        var reconciliation = await till.CallAsync("reconciliation.run", new { closingId = "day/host/1" });
        Assert.True(reconciliation.GetProperty("matched").GetBoolean(), reconciliation.GetRawText());
        var sides = reconciliation.GetProperty("pointsOfSale").EnumerateArray().ToList();
        Assert.Equal(izly, sides.Sum(s => s.GetProperty("izlyTotal").GetDecimal()));
        Assert.Equal(3, sides.Sum(s => s.GetProperty("izlyOperations").GetInt32()));
        Assert.Equal(1, sides.Sum(s => s.GetProperty("izlyRefunds").GetInt32()));

        var verify = await till.CallAsync("journal.verify", new { signatures = true });
        Assert.True(verify.GetProperty("intact").GetBoolean(), verify.GetRawText());

        var html = Path.Combine(host.Root, "closing.html");
        var (code, output) = await MwctlAsync(host.PipeName, "closing", "reconcile", "day/host/1", "--html", html);
        Assert.True(code == 0, output);
        Assert.Contains("Everything matches.", output, StringComparison.Ordinal);
        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("Rapprochement avec Izly et VEM", page, StringComparison.Ordinal);
        Assert.Contains("Aucun écart.", page, StringComparison.Ordinal);
    }

    private static async Task<Guid> SellByQrAsync(SaleHost host, MiddlewareClient till, string holder)
    {
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, host.Sandbox.IssueQrCode(holder));
        var requestId = Guid.NewGuid();
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId);
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        return requestId;
    }

    private static IEnumerable<(int Code, decimal Amount)> Payments(JsonElement totals) =>
        totals.GetProperty("byPayment").EnumerateArray().Select(p => (p.GetProperty("codeReglement").GetInt32(), p.GetProperty("amount").GetDecimal()));

    private static async Task<(int Code, string Output)> MwctlAsync(string pipe, params string[] arguments)
    {
        var info = new ProcessStartInfo(Security.HostProcess.DotnetPath()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "mwctl.dll"), .. arguments, "--pipe", pipe, "--pos", SaleHost.Till.ToString(), "--timeout", "60"])
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout + await stderr);
    }
}
