using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Api.Reference;
using Middleware.Client;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox.Hosting;

namespace Middleware.Host.Tests;

/// <summary>
/// A whole QR sale through the real parts: the host with its shipped settings and the repository's plugins.json
/// (channel plugins in collectible contexts), the real named pipe, the embedded sandbox over HTTP, the pricing
/// scripts of the site, the payment journal and the ticket outbox.
/// </summary>
public sealed class QrSaleEndToEndTests
{
    private static readonly PointOfSaleId Till = PointOfSaleId.Parse("5-1-9-8-14");

    [Fact]
    public async Task A_qr_sale_is_priced_for_the_customer_paid_once_and_its_ticket_reaches_vem()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        Assert.NotNull(repo);
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        var pipeName = "mwq-" + Guid.NewGuid().ToString("N")[..10];
        var builder = MiddlewareHost.CreateBuilder([$"--Pipe:PipeName={pipeName}", "--Host:Mode=console",
            $"--PluginsFile={Path.Combine(repo.FullName, "plugins.json")}", "--PluginHost:WatchForChanges=false",
            .. HostStartTests.SandboxArguments(root)], root);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var sandbox = await host.Services.GetRequiredService<EmbeddedSandbox>().Started;
            var store = host.Services.GetRequiredService<IReferenceStore>();
            Assert.True((await store.SyncAsync(Till, default)).Succeeded);
            await using var till = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions { PipeName = pipeName, PointOfSale = Till.ToString(), ConnectTimeout = TimeSpan.FromSeconds(20) });

            var sale = await till.CallMutatingAsync("sale.open", new { });
            var saleId = sale.GetProperty("saleId").GetString()!;
            var basket = await till.CallMutatingAsync("sale.setBasket", new { saleId, lines = new[] { new { codeArticle = 1201, quantity = 1 } } });
            var guestTotal = basket.GetProperty("totalTtc").GetDecimal();

            var identified = await till.CallMutatingAsync("sale.identifyQr", new { saleId, qrCode = sandbox.IssueQrCode("1000001") });
            Assert.Equal(10, identified.GetProperty("customer").GetProperty("codeSociete").GetInt32());
            var studentTotal = identified.GetProperty("totalTtc").GetDecimal();
            Assert.True(studentTotal < guestTotal, $"student {studentTotal} should pay less than a guest {guestTotal}");

            var payRequest = Guid.NewGuid();
            var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, payRequest);
            var again = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, payRequest);

            Assert.Equal("Committed", paid.GetProperty("state").GetString());
            var payment = paid.GetProperty("payment");
            Assert.Equal("Approved", payment.GetProperty("state").GetString());
            Assert.Equal(15.25m - studentTotal, payment.GetProperty("balanceAfter").GetDecimal());
            // The repeat is the first answer replayed: same ticket, same payment, no second debit.
            Assert.Equal(paid.GetProperty("ticket").GetProperty("numeroTicket").GetString(), again.GetProperty("ticket").GetProperty("numeroTicket").GetString());
            Assert.Equal(payment.GetProperty("idTransactionIzly").GetString(), again.GetProperty("payment").GetProperty("idTransactionIzly").GetString());
            Assert.Equal(15.25m - studentTotal, Middleware.Domain.Money.Euro.FromCents(await sandbox.GetBalanceAsync("1000001")));

            // The outbox sends it: exactly one ticket, with the Izly transaction and the QR code.
            var idTicket = paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await sandbox.GetTicketsAsync(Till)).Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            var stored = Assert.Single(await sandbox.GetTicketsAsync(Till));
            Assert.Equal(idTicket, stored.IdTicketEntete);
            Assert.Contains(payment.GetProperty("idTransactionIzly").GetString()!, stored.Json, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
