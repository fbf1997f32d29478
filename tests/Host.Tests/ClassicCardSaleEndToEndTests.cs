using Microsoft.Extensions.DependencyInjection;
using Middleware.Api.Reference;
using Middleware.Domain.Money;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox.Hosting;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 14: a whole Izly sale after a MIFARE Classic 4K tap through the real parts: the virtual card on the real pcscd
/// through vpcd, the host's watcher handing it to reader.classic (plugins.json), key A exported by the software SAM
/// (the demo key file's Classic/0 entry), the till on the real pipe identifying the student and paying by Izly card.
/// </summary>
public sealed class ClassicCardSaleEndToEndTests
{
    private static readonly PointOfSaleId Till = PointOfSaleId.Parse(CardHostHarness.PointOfSale);

    [Fact]
    public async Task A_tapped_classic_4K_card_identifies_the_student_who_is_debited_once_by_card()
    {
        await using var harness = await CardHostHarness.StartAsync("mwcl-");
        var sandbox = await harness.Host.Services.GetRequiredService<EmbeddedSandbox>().Started;
        Assert.True((await harness.Host.Services.GetRequiredService<IReferenceStore>().SyncAsync(Till, default)).Succeeded);
        var till = harness.Till;
        var balanceBefore = Euro.FromCents(await sandbox.GetBalanceAsync("1000002"));

        var sale = await till.CallMutatingAsync("sale.open", new { });
        var saleId = sale.GetProperty("saleId").GetString()!;
        await till.CallMutatingAsync("sale.setBasket", new { saleId, lines = new[] { new { codeArticle = 1201, quantity = 1 } } });

        // The seed's card of holder 1000002, on a Classic 4K whose UID is a 4-byte one.
        var zdc = CardHostHarness.CardOfHolder(2).Zdc;
        var card = IzlyVirtualCards.FromZdc(zdc, Convert.FromHexString("C1A55102"), Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex), ClassicCardSize.Classic4K);
        await using var slot = await CardHostHarness.InsertAsync(card);
        var tapped = await harness.NextAsync<Middleware.Client.CardTappedEvent>();
        Assert.Equal("36000002", tapped.IdSupport);
        Assert.Equal("Classic4K", tapped.Technology);
        Assert.True(tapped.Authenticated);
        Assert.Equal(CardHostHarness.SamId, tapped.SamId);

        var identified = await till.CallMutatingAsync("sale.identifyCard", new { saleId, reader = CardHostHarness.Reader });
        Assert.Equal("card", identified.GetProperty("customer").GetProperty("channel").GetString());
        Assert.DoesNotContain("36000002", identified.GetProperty("cardNumber").GetString()!, StringComparison.Ordinal);
        var total = identified.GetProperty("totalTtc").GetDecimal();

        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, Guid.NewGuid());
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        Assert.Equal("Approved", paid.GetProperty("payment").GetProperty("state").GetString());
        Assert.Equal(balanceBefore - total, Euro.FromCents(await sandbox.GetBalanceAsync("1000002")));

        var debit = Assert.Single(await sandbox.GetTransactionsAsync(), t => t.Identifier == "1000002");
        Assert.Equal("support", debit.Means);
        Assert.Equal("36000002", debit.IdSupport);
        Assert.Equal(CardHostHarness.SamId, debit.SamId);
        Assert.Equal(Euro.ToCents(total), debit.AmountCents);
    }
}
