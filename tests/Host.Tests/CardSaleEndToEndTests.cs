using Microsoft.Extensions.DependencyInjection;
using Middleware.Api.Reference;
using Middleware.Client;
using Middleware.Domain.Money;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox.Hosting;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue #7: a whole Izly card sale through the real parts. A virtual card personalised for the sandbox holder 1000001
/// is tapped on the real pcscd through vpcd, read by the host's DESFire plugin and software SAM, and the till (real
/// pipe) identifies the customer with it, pays by Izly through the card channel plugin, and the ticket reaches the
/// sandbox's VEM through the outbox.
/// </summary>
public sealed class CardSaleEndToEndTests
{
    private static readonly PointOfSaleId Till = PointOfSaleId.Parse(CardHostHarness.PointOfSale);

    [Fact]
    public async Task A_tapped_card_identifies_the_student_who_is_debited_once_and_the_ticket_carries_the_card_and_transaction()
    {
        await using var harness = await CardHostHarness.StartAsync("mwcs-");
        var sandbox = await harness.Host.Services.GetRequiredService<EmbeddedSandbox>().Started;
        Assert.True((await harness.Host.Services.GetRequiredService<IReferenceStore>().SyncAsync(Till, default)).Succeeded);
        var till = harness.Till;
        var balanceBefore = Euro.FromCents(await sandbox.GetBalanceAsync("1000001"));
        Assert.Equal(15.25m, balanceBefore);

        var sale = await till.CallMutatingAsync("sale.open", new { });
        var saleId = sale.GetProperty("saleId").GetString()!;
        var basket = await till.CallMutatingAsync("sale.setBasket", new { saleId, lines = new[] { new { codeArticle = 1201, quantity = 1 } } });
        var guestTotal = basket.GetProperty("totalTtc").GetDecimal();

        // No card yet: identifying by card is refused with "no card" (1206), and the sale stays open.
        var noCard = await Assert.ThrowsAsync<MiddlewareRpcException>(() => till.CallMutatingAsync("sale.identifyCard", new { saleId }));
        Assert.Equal(1206, noCard.Code);

        var card = CardHostHarness.CardOfHolder(1);
        await using var slot = await CardHostHarness.InsertAsync(card.Card);
        var tapped = await harness.NextAsync<CardTappedEvent>();
        Assert.Equal("36000001", tapped.IdSupport);

        var identified = await till.CallMutatingAsync("sale.identifyCard", new { saleId, reader = CardHostHarness.Reader });
        var customer = identified.GetProperty("customer");
        Assert.Equal(10, customer.GetProperty("codeSociete").GetInt32());
        Assert.Equal(balanceBefore, customer.GetProperty("balance").GetDecimal());
        Assert.Equal("card", customer.GetProperty("channel").GetString());
        // The till may show a masked card number, never the full one.
        var shown = identified.GetProperty("cardNumber").GetString()!;
        Assert.EndsWith("0001", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("36000001", shown, StringComparison.Ordinal);
        var studentTotal = identified.GetProperty("totalTtc").GetDecimal();
        Assert.True(studentTotal > 0 && studentTotal < guestTotal, $"student {studentTotal} should pay less than a guest {guestTotal}");

        var payRequest = Guid.NewGuid();
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, payRequest);
        var again = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, payRequest);

        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        var payment = paid.GetProperty("payment");
        Assert.Equal("Approved", payment.GetProperty("state").GetString());
        Assert.Equal("card", payment.GetProperty("channel").GetString());
        Assert.Equal(studentTotal, payment.GetProperty("amount").GetDecimal());
        Assert.Equal(balanceBefore - studentTotal, payment.GetProperty("balanceAfter").GetDecimal());
        var idTransaction = payment.GetProperty("idTransactionIzly").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(idTransaction));
        // The same request id again is the first answer replayed: same ticket, same transaction, no second debit.
        Assert.Equal(paid.GetProperty("ticket").GetProperty("numeroTicket").GetString(), again.GetProperty("ticket").GetProperty("numeroTicket").GetString());
        Assert.Equal(idTransaction, again.GetProperty("payment").GetProperty("idTransactionIzly").GetString());
        Assert.Equal(balanceBefore - studentTotal, Euro.FromCents(await sandbox.GetBalanceAsync("1000001")));

        // Izly saw one debit, by card: the support, the SAM that read it, the amount.
        var debit = Assert.Single(await sandbox.GetTransactionsAsync(), t => t.Identifier == "1000001");
        Assert.Equal(idTransaction, debit.IdTransactionIzly);
        Assert.Equal("support", debit.Means);
        Assert.Equal("36000001", debit.IdSupport);
        Assert.Equal(CardHostHarness.SamId, debit.SamId);
        Assert.Equal(Euro.ToCents(studentTotal), debit.AmountCents);

        // The outbox sends exactly one ticket, whose payment carries the card and the Izly transaction.
        var idTicket = paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await sandbox.GetTicketsAsync(Till)).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var stored = Assert.Single(await sandbox.GetTicketsAsync(Till));
        Assert.Equal(idTicket, stored.IdTicketEntete);
        var reglement = Assert.Single(stored.Ticket.ListeReglements);
        Assert.Equal(9, reglement.CodeReglement);
        Assert.Equal("36000001", reglement.IdSupport);
        Assert.Equal("04A1B2C3D40001", reglement.NumeroApplicatif);
        Assert.Equal(idTransaction, reglement.IdTransactionIzly);
        Assert.Equal("36000001", stored.Ticket.Complementaire?.IdSupport);

        await slot.RemoveAsync();
        Assert.Equal(CardHostHarness.Reader, (await harness.NextAsync<CardRemovedEvent>()).Reader);
    }
}
