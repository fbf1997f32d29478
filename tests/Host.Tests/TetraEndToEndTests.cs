using Microsoft.Extensions.DependencyInjection;
using Middleware.Client;
using Middleware.Domain.Money;
using Middleware.Sandbox.Hosting;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 15 through the real parts: the real host loads <c>terminal.tetra</c> from its folder (settings in a
/// plugins.json as a site writes it, enum settings by name), opens the simulated Tetra's pseudo-terminal (socat) through
/// its serial link service, and a till on the real pipe asks for a card read (<c>readers.read</c>) on its point of
/// sale's terminal: the ZDC comes back in the <c>card.tapped</c> shape with the Tetra's SAM id, pays a sale by Izly, and
/// the terminal's refusals reach the till as clear errors.
/// </summary>
public sealed class TetraEndToEndTests
{
    private const string Terminal = TetraSite.Terminal;

    [Fact]
    public async Task A_tetra_read_asked_by_the_till_identifies_the_student_who_pays_by_izly_and_refusals_are_clear()
    {
        await using var tetra = await TetraSimulator.StartAsync();
        var root = SaleHost.NewRoot();
        var repo = SaleHost.RepositoryRoot();
        var pluginsFile = await TetraSite.WritePluginsFileAsync(root, tetra.TerminalPath);
        await using var host = await SaleHost.StartAsync($"--PluginsFile={pluginsFile}", $"--Scripting:ScriptsRoot={Path.Combine(repo, "scripts")}",
            $"--PointsOfSale:0:Readers:0={Terminal}");
        await using var till = await host.ConnectAsync();
        var taps = new List<CardTappedEvent>();
        till.CardTapped += (_, e) =>
        {
            lock (taps)
            {
                taps.Add(e);
            }
        };

        IReadOnlyList<ReaderInfo> reader;
        try
        {
            reader = await TillSteps.WaitForAsync(() => till.ListReadersAsync(), rs => rs.Any(r => r.Name == Terminal && r.State != "Unavailable"),
                TimeSpan.FromSeconds(30), "the Tetra listed as the till's reader");
        }
        catch (Exception ex)
        {
            var statuses = await till.GetPluginStatusAsync();
            throw new Xunit.Sdk.XunitException($"{ex.Message}; readers: {string.Join("; ", await till.ListReadersAsync())}; plugins: {string.Join("; ", statuses)}");
        }

        Assert.Equal("terminal.tetra", reader.Single(r => r.Name == Terminal).PluginId);

        // The sandbox's card of holder 1000001 (its seed: idSupport 36000001, numeroApplicatif 04A1B2C3D40001).
        tetra.SetBehaviour(new TetraBehaviour { IdSupport = "36000001", NumeroApplicatif = "04A1B2C3D40001" });
        var balanceBefore = Euro.FromCents(await host.Sandbox.GetBalanceAsync("1000001"));
        var saleId = await TillSteps.OpenMealAsync(till);
        var read = await till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 10_000 });

        Assert.Equal(Terminal, read.GetProperty("reader").GetString());
        Assert.Equal("Tetra", read.GetProperty("technology").GetString());
        Assert.Equal("36000001", read.GetProperty("idSupport").GetString());
        Assert.Equal("04A1B2C3D40001", read.GetProperty("numeroApplicatif").GetString());
        Assert.Equal("0123456789ABCDEF", read.GetProperty("samId").GetString());
        Assert.True(read.GetProperty("authenticated").GetBoolean());
        Assert.Equal("ZDC?14010", Assert.Single(tetra.Requests)); // till 14, the 10 s the till gave
        await TillSteps.WaitForAsync(() => Task.FromResult(Snapshot(taps)), t => t.Count == 1, TimeSpan.FromSeconds(10), "the read published as card.tapped");
        Assert.Equal("36000001", Snapshot(taps)[0].IdSupport);

        var identified = await till.CallMutatingAsync("sale.identifyCard", new { saleId, reader = Terminal });
        Assert.Equal("card", identified.GetProperty("customer").GetProperty("channel").GetString());
        var total = identified.GetProperty("totalTtc").GetDecimal();
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, Guid.NewGuid());
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        Assert.Equal(balanceBefore - total, Euro.FromCents(await host.Sandbox.GetBalanceAsync("1000001")));
        var debit = Assert.Single(await host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000001");
        Assert.Equal("36000001", debit.IdSupport);
        Assert.Equal("0123456789ABCDEF", debit.SamId);

        // The terminal's own refusals: each a clear error for the cashier, and the terminal serves the next read.
        tetra.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.NotIzlyCard });
        var notIzly = await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 5_000 }));
        Assert.Equal(1200, notIzly.Code);
        tetra.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.CardAbsent });
        var none = await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 1_000 }));
        Assert.Equal(1206, none.Code);
        tetra.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.SamError });
        Assert.Equal(1205, (await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 5_000 }))).Code);
        // One request at a time: a second read while the terminal waits for a card is refused at once, not queued.
        tetra.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.CardAbsent });
        var waiting = till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 3_000 });
        await TillSteps.WaitForAsync(() => Task.FromResult(tetra.Requests.Count), n => n == 5, TimeSpan.FromSeconds(10), "the first read at the terminal");
        var busy = await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 3_000 }));
        Assert.Equal(1111, busy.Code);
        Assert.Contains("busy", busy.Detail ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1206, (await Assert.ThrowsAsync<MiddlewareRpcException>(() => waiting)).Code);

        // The till cancels a read that waits for a card ($/cancelRequest): the call ends at once, the terminal is told
        // (EOT), and it serves the next read straight away (not busy, no stale answer).
        var requestsBefore = tetra.Requests.Count;
        using (var cashierCancels = new CancellationTokenSource())
        {
            var cancelled = till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 60_000 }, cashierCancels.Token);
            await TillSteps.WaitForAsync(() => Task.FromResult(tetra.Requests.Count), n => n == requestsBefore + 1, TimeSpan.FromSeconds(10), "the read at the terminal");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await cashierCancels.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the cancel took {clock.Elapsed}");
        }

        tetra.SetBehaviour(new TetraBehaviour { IdSupport = "36000002", NumeroApplicatif = "04A1B2C3D40002" });
        Assert.Equal("36000002", (await TillSteps.WaitForAsync(async () =>
        {
            try
            {
                return await till.CallAsync("readers.read", new { reader = Terminal, timeoutMs = 5_000 });
            }
            catch (MiddlewareRpcException e) when (e.Code == 1111 && (e.Detail ?? "").Contains("busy", StringComparison.OrdinalIgnoreCase))
            {
                return default; // the cancelled read is still ending its EOT (250 ms at most)
            }
        }, r => r.ValueKind == System.Text.Json.JsonValueKind.Object, TimeSpan.FromSeconds(10), "a read after the cancel")).GetProperty("idSupport").GetString());
    }

    private static List<CardTappedEvent> Snapshot(List<CardTappedEvent> taps)
    {
        lock (taps)
        {
            return [.. taps];
        }
    }
}
