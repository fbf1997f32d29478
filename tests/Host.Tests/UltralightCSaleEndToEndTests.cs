using Microsoft.Extensions.DependencyInjection;
using Middleware.Api.Reference;
using Middleware.Client;
using Middleware.Domain.Money;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox.Hosting;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Tool;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue #14: an Izly sale after the tap of a MIFARE Ultralight C. The virtual card (the seed's card of holder 1000002,
/// personalised with the demo SAM's UltralightC key) is tapped on the real pcscd through vpcd, read by the host's
/// Ultralight C plugin through its transparent session and software SAM; the till (real pipe) identifies the student
/// with it and pays by Izly.
/// </summary>
public sealed class UltralightCSaleEndToEndTests
{
    private static readonly PointOfSaleId Till = PointOfSaleId.Parse(CardHostHarness.PointOfSale);

    [Fact]
    public async Task A_tapped_ultralight_c_identifies_the_student_who_is_debited_once_by_card()
    {
        await using var harness = await CardHostHarness.StartAsync("mwul-");
        var sandbox = await harness.Host.Services.GetRequiredService<EmbeddedSandbox>().Started;
        Assert.True((await harness.Host.Services.GetRequiredService<IReferenceStore>().SyncAsync(Till, default)).Succeeded);
        var till = harness.Till;
        var balanceBefore = Euro.FromCents(await sandbox.GetBalanceAsync("1000002"));

        var zdc = new ZdcDescription { IdSupport = "36000002", NumeroApplicatif = "04A1B2C3D40002", Crous = 5, CreationDate = new DateOnly(2024, 9, 2) };
        var card = IzlyVirtualCards.UltralightCFromZdc(zdc, Convert.FromHexString(zdc.NumeroApplicatif), Convert.FromHexString(DemoSamKeys.UltralightCMasterKeyHex));
        await using var slot = await CardHostHarness.InsertAsync(card);
        var tapped = await harness.NextAsync<CardTappedEvent>();
        Assert.Equal("36000002", tapped.IdSupport);
        Assert.Equal("UltralightC", tapped.Technology);
        Assert.Equal(CardHostHarness.SamId, tapped.SamId);
        Assert.True(tapped.Authenticated);

        var sale = await till.CallMutatingAsync("sale.open", new { });
        var saleId = sale.GetProperty("saleId").GetString()!;
        await till.CallMutatingAsync("sale.setBasket", new { saleId, lines = new[] { new { codeArticle = 1201, quantity = 1 } } });
        var identified = await till.CallMutatingAsync("sale.identifyCard", new { saleId, reader = CardHostHarness.Reader });
        Assert.Equal("card", identified.GetProperty("customer").GetProperty("channel").GetString());
        Assert.DoesNotContain("36000002", identified.GetProperty("cardNumber").GetString()!, StringComparison.Ordinal);
        var total = identified.GetProperty("totalTtc").GetDecimal();
        Assert.True(total > 0, $"total {total}");

        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, Guid.NewGuid());

        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        var payment = paid.GetProperty("payment");
        Assert.Equal("Approved", payment.GetProperty("state").GetString());
        Assert.Equal(total, payment.GetProperty("amount").GetDecimal());
        Assert.Equal(balanceBefore - total, Euro.FromCents(await sandbox.GetBalanceAsync("1000002")));
        var debit = Assert.Single(await sandbox.GetTransactionsAsync(), t => t.Identifier == "1000002");
        Assert.Equal("support", debit.Means);
        Assert.Equal("36000002", debit.IdSupport);
        Assert.Equal(CardHostHarness.SamId, debit.SamId);
        Assert.Equal(Euro.ToCents(total), debit.AmountCents);
    }

    [Fact]
    public async Task Izly_vcard_inserts_an_ultralight_c_that_the_host_reads_until_cancelled()
    {
        await using var harness = await CardHostHarness.StartAsync("mwuv-");
        using var stop = new CancellationTokenSource();
        var output = TextWriter.Synchronized(new StringWriter());

        // The harness's key file: the tool personalises the card with its UltralightC key 0, the host's SAM holds it.
        var run = VirtualCardTool.RunAsync(["insert", "--holder", "1000003", "--technology", "ultralightc", "--key-file", harness.KeyFile], output, stop.Token);
        var tapped = await harness.NextAsync<CardTappedEvent>();

        Assert.Equal("36000003", tapped.IdSupport);
        Assert.Equal("UltralightC", tapped.Technology);
        Assert.True(tapped.Authenticated);
        Assert.False(run.IsCompleted);

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(CardHostHarness.Reader, (await harness.NextAsync<CardRemovedEvent>()).Reader);
    }
}
