using Microsoft.Extensions.DependencyInjection;
using Middleware.Api.Reference;
using Middleware.Client;
using Middleware.Domain.Money;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox.Hosting;
using Middleware.VirtualCards.Izly;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 14: a whole Izly sale after a Calypso tap through the real parts. A virtual Calypso card carrying the ZDC of
/// sandbox holder 1000001 is tapped on the real pcscd through vpcd and read by the host's Calypso plugin without a SAM;
/// the till (real pipe) sees an unauthenticated tap, identifies the customer with it (this point of sale accepts such
/// cards, the default) and pays by Izly.
/// </summary>
public sealed class CalypsoCardSaleEndToEndTests
{
    private static readonly PointOfSaleId Till = PointOfSaleId.Parse(CardHostHarness.PointOfSale);

    [Fact]
    public async Task A_tapped_calypso_card_is_unauthenticated_identifies_the_student_and_is_debited_once()
    {
        await using var harness = await CardHostHarness.StartAsync("mwcal-");
        var sandbox = await harness.Host.Services.GetRequiredService<EmbeddedSandbox>().Started;
        Assert.True((await harness.Host.Services.GetRequiredService<IReferenceStore>().SyncAsync(Till, default)).Succeeded);
        var till = harness.Till;
        var balanceBefore = Euro.FromCents(await sandbox.GetBalanceAsync("1000001"));

        var sale = await till.CallMutatingAsync("sale.open", new { });
        var saleId = sale.GetProperty("saleId").GetString()!;
        await till.CallMutatingAsync("sale.setBasket", new { saleId, lines = new[] { new { codeArticle = 1201, quantity = 1 } } });

        var zdc = CardHostHarness.CardOfHolder(1).Zdc;
        await using var slot = await CardHostHarness.InsertAsync(IzlyVirtualCards.Calypso(zdc));
        var tapped = await harness.NextAsync<CardTappedEvent>();
        Assert.Equal("36000001", tapped.IdSupport);
        Assert.Equal("Calypso", tapped.Technology);
        Assert.False(tapped.Authenticated);
        Assert.Null(tapped.SamId);

        var identified = await till.CallMutatingAsync("sale.identifyCard", new { saleId, reader = CardHostHarness.Reader });
        Assert.Equal("card", identified.GetProperty("customer").GetProperty("channel").GetString());
        var total = identified.GetProperty("totalTtc").GetDecimal();

        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" });

        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        Assert.Equal("Approved", paid.GetProperty("payment").GetProperty("state").GetString());
        Assert.Equal(balanceBefore - total, Euro.FromCents(await sandbox.GetBalanceAsync("1000001")));
        var debit = Assert.Single(await sandbox.GetTransactionsAsync(), t => t.Identifier == "1000001");
        Assert.Equal("36000001", debit.IdSupport);

        await slot.RemoveAsync();
        Assert.Equal(CardHostHarness.Reader, (await harness.NextAsync<CardRemovedEvent>()).Reader);
    }

    [Theory]
    [InlineData("calypso")]
    [InlineData("calypso-rev1")]
    public void Izly_vcard_takes_a_calypso_technology(string technology)
    {
        Assert.True(VirtualIzlyCardCommand.TryParseInsert(["--holder", "1000001", "--technology", technology], out var options, out _));

        Assert.Equal(new VirtualCardInsertOptions("1000001", null, null, 35963, null, null, technology), options);
    }

    [Fact]
    public void Izly_vcard_refuses_an_unknown_technology()
    {
        Assert.False(VirtualIzlyCardCommand.TryParseInsert(["--holder", "1000001", "--technology", "classic"], out _, out var error));

        Assert.Contains("--technology", error, StringComparison.Ordinal);
    }
}
