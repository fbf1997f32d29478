using System.Text.Json;
using Middleware.Domain.Errors;
using Middleware.Domain.Money;

namespace Middleware.Host.Tests;

/// <summary>
/// What goes wrong at the till, through the real host, pipe, plugins and the sandbox over HTTP: a balance too low (then
/// CB), accounts that cannot pay, expired and reused QR codes, concurrent pay requests, and Izly's answer lost after the
/// debit. Each test uses its own customers of the seed, so they share one host.
/// </summary>
public sealed class SaleFailureEndToEndTests(SaleHostFixture fixture) : IClassFixture<SaleHostFixture>
{
    private SaleHost Host => fixture.Host;

    [Fact]
    public async Task A_balance_too_low_is_refused_with_the_balance_nothing_is_debited_and_the_sale_is_then_taken_by_cb()
    {
        // Léa Petit has 0.50 €.
        await using var till = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        var identified = await TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode("1000003"));
        Assert.Equal(0.50m, identified.GetProperty("customer").GetProperty("balance").GetDecimal());
        var total = identified.GetProperty("totalTtc").GetDecimal();
        Assert.True(total > 0.50m);

        var refused = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }));

        Assert.Equal((int)ErrorCode.InsufficientBalance, refused.Code);
        Assert.Equal("Solde Izly insuffisant.", refused.CashierMessage);
        Assert.Equal(0.50m, refused.Payload!.Value.GetProperty("balance").GetDecimal());
        Assert.Equal(total, refused.Payload!.Value.GetProperty("total").GetDecimal());
        Assert.Equal(50, await Host.Sandbox.GetBalanceAsync("1000003"));
        Assert.DoesNotContain(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000003");
        Assert.Equal("Open", (await TillSteps.GetSaleAsync(till, saleId)).GetProperty("state").GetString());

        // The cashier takes the whole sale on the till's own card terminal and records it as CB.
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "cb" });

        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        Assert.Equal("cb", paid.GetProperty("paymentMethod").GetString());
        var cbTotal = paid.GetProperty("totalTtc").GetDecimal();
        var ticket = await WaitForTicketAsync(paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString()!);
        var reglement = Assert.Single(ticket.GetProperty("listeReglements").EnumerateArray());
        Assert.Equal(4, reglement.GetProperty("codeReglement").GetInt32());
        Assert.Equal(cbTotal, reglement.GetProperty("montant").GetDecimal());
        Assert.False(reglement.TryGetProperty("idTransactionIzly", out var txn) && txn.ValueKind == JsonValueKind.String);
        Assert.Equal("1000003", ticket.GetProperty("complementaire").GetProperty("codeClient").GetString());
        Assert.Equal(50, await Host.Sandbox.GetBalanceAsync("1000003"));
    }

    [Fact]
    public async Task When_izly_itself_refuses_for_balance_the_till_still_gets_the_balance_and_the_sale_stays_open()
    {
        // Jules David's balance drops after he identified (a payment elsewhere): Izly refuses the debit with -50.
        await using var till = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode("1000012"));
        await Host.Sandbox.SetBalanceAsync("1000012", 120);

        var refused = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }));

        Assert.Equal((int)ErrorCode.InsufficientBalance, refused.Code);
        Assert.Equal(ErrorMessages.For(ErrorCode.InsufficientBalance), refused.CashierMessage);
        Assert.Equal(1.20m, refused.Payload!.Value.GetProperty("balance").GetDecimal());
        Assert.Equal(120, await Host.Sandbox.GetBalanceAsync("1000012"));
        Assert.DoesNotContain(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000012");
        var sale = await TillSteps.GetSaleAsync(till, saleId);
        Assert.Equal("Open", sale.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("1000007", ErrorCode.AccountBlocked)]      // blocked after 3 wrong passwords
    [InlineData("1000008", ErrorCode.AccountBlocked)]      // in opposition
    [InlineData("1000009", ErrorCode.AccountFrozen)]       // frozen
    [InlineData("1000005", ErrorCode.AccountClosed)]       // closed
    [InlineData("1000006", ErrorCode.AccountClosed)]       // closing
    [InlineData("1000010", ErrorCode.AccountExpired)]      // rights ended last year
    [InlineData("1000004", ErrorCode.AccountNotConfirmed)] // never confirmed
    [InlineData("1000013", ErrorCode.CustomerUnknown)]     // anonymised
    public async Task An_account_that_cannot_pay_is_refused_at_identification_with_a_reason_the_cashier_can_read(string holder, ErrorCode expected)
    {
        await using var till = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        var balance = await Host.Sandbox.GetBalanceAsync(holder);

        var refused = await TillSteps.RefusedAsync(() => TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode(holder)));

        Assert.Equal((int)expected, refused.Code);
        Assert.Equal(ErrorMessages.For(expected), refused.CashierMessage);
        Assert.False(string.IsNullOrWhiteSpace(refused.CashierMessage));
        // Nobody is identified, so nothing can be debited from that account.
        var sale = await TillSteps.GetSaleAsync(till, saleId);
        Assert.Equal(JsonValueKind.Null, sale.GetProperty("customer").ValueKind);
        var pay = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }));
        Assert.Equal((int)ErrorCode.SaleStateInvalid, pay.Code);
        Assert.Equal(balance, await Host.Sandbox.GetBalanceAsync(holder));
        Assert.DoesNotContain(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == holder);
    }

    [Fact]
    public async Task An_account_blocked_between_identification_and_payment_is_refused_by_izly_and_nothing_is_debited()
    {
        // Sophie Garcia (guest profile, 30 €) identifies, then her account is put in opposition before the cashier pays.
        await using var till = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode("1000011"));
        await Host.Sandbox.SetStatusesAsync("1000011", "ACTIF", "MIS_EN_OPPOSITION");

        var refused = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }));

        Assert.Equal((int)ErrorCode.AccountBlocked, refused.Code);
        Assert.Equal("Compte Izly bloqué.", refused.CashierMessage);
        Assert.Equal(3000, await Host.Sandbox.GetBalanceAsync("1000011"));
        Assert.DoesNotContain(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000011");
        Assert.Equal("Open", (await TillSteps.GetSaleAsync(till, saleId)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task An_expired_qr_code_is_refused_and_nothing_is_debited()
    {
        await using var till = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        var stale = Host.Sandbox.IssueQrCode("1000002", DateTimeOffset.UtcNow.AddMinutes(-10));

        var refused = await TillSteps.RefusedAsync(() => TillSteps.IdentifyQrAsync(till, saleId, stale));

        Assert.Equal((int)ErrorCode.QrCodeExpired, refused.Code);
        Assert.Equal("QR code expiré : générez-en un nouveau.", refused.CashierMessage);
        Assert.Equal(500, await Host.Sandbox.GetBalanceAsync("1000002"));
        Assert.DoesNotContain(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000002");

        // A scan that is not an Izly code at all is refused too, before Izly is asked.
        var garbage = await TillSteps.RefusedAsync(() => TillSteps.IdentifyQrAsync(till, saleId, "3017620422003"));
        Assert.Equal((int)ErrorCode.QrCodeInvalid, garbage.Code);
    }

    [Fact]
    public async Task A_qr_code_already_used_for_a_payment_is_refused_at_identification_and_at_payment_and_is_debited_once()
    {
        // Inès Bertrand shows the same code at two tills: both identify her before either pays.
        await using var till = await Host.ConnectAsync();
        var qr = Host.Sandbox.IssueQrCode("1000014");
        var first = await TillSteps.OpenMealAsync(till);
        var second = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, first, qr);
        await TillSteps.IdentifyQrAsync(till, second, qr);

        var paid = await till.CallMutatingAsync("sale.pay", new { saleId = first, method = "izly" });
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        var balanceAfter = await Host.Sandbox.GetBalanceAsync("1000014");
        Assert.Equal(Euro.ToCents(paid.GetProperty("payment").GetProperty("balanceAfter").GetDecimal()), balanceAfter);

        var atPayment = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId = second, method = "izly" }));
        Assert.Equal((int)ErrorCode.QrCodeAlreadyUsed, atPayment.Code);
        Assert.Equal("QR code déjà utilisé : générez-en un nouveau.", atPayment.CashierMessage);
        Assert.Equal("Open", (await TillSteps.GetSaleAsync(till, second)).GetProperty("state").GetString());

        var third = await TillSteps.OpenMealAsync(till);
        var atIdentification = await TillSteps.RefusedAsync(() => TillSteps.IdentifyQrAsync(till, third, qr));
        Assert.Equal((int)ErrorCode.QrCodeAlreadyUsed, atIdentification.Code);

        Assert.Equal(balanceAfter, await Host.Sandbox.GetBalanceAsync("1000014"));
        Assert.Single(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000014");
    }

    [Fact]
    public async Task The_same_pay_request_sent_at_once_on_two_connections_debits_once_and_both_tills_get_the_same_answer()
    {
        // Paul Roux; the till lost its connection and its retry races the first attempt on a second connection.
        await using var till = await Host.ConnectAsync();
        await using var retry = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode("1000015"));
        var before = await Host.Sandbox.GetBalanceAsync("1000015");
        var requestId = Guid.NewGuid();

        var answers = await Task.WhenAll(
            till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId),
            retry.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId));

        Assert.All(answers, a => Assert.Equal("Committed", a.GetProperty("state").GetString()));
        Assert.Equal(answers[0].GetProperty("payment").GetProperty("idTransactionIzly").GetString(), answers[1].GetProperty("payment").GetProperty("idTransactionIzly").GetString());
        Assert.Equal(answers[0].GetProperty("ticket").GetProperty("numeroTicket").GetString(), answers[1].GetProperty("ticket").GetProperty("numeroTicket").GetString());
        var debit = Assert.Single(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000015");
        Assert.Equal(before - debit.AmountCents, await Host.Sandbox.GetBalanceAsync("1000015"));
    }

    [Fact]
    public async Task Two_different_pay_requests_for_one_sale_at_once_debit_once()
    {
        // Two cashiers (or a double click with a fresh request id each) pay the same sale at the same moment.
        await using var till = await Host.ConnectAsync();
        await using var other = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode("1000001"));
        var before = await Host.Sandbox.GetBalanceAsync("1000001");
        var debitsBefore = (await Host.Sandbox.GetTransactionsAsync()).Count(t => t.Identifier == "1000001");

        async Task<JsonElement?> Pay(Middleware.Client.MiddlewareClient client)
        {
            try
            {
                return await client.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, Guid.NewGuid());
            }
            catch (Middleware.Client.MiddlewareRpcException ex) when (ex.Code == (int)ErrorCode.SaleStateInvalid)
            {
                return null;
            }
        }

        var answers = await Task.WhenAll(Pay(till), Pay(other));

        var winner = Assert.Single(answers, a => a is not null)!.Value;
        Assert.Equal("Committed", winner.GetProperty("state").GetString());
        Assert.Equal(debitsBefore + 1, (await Host.Sandbox.GetTransactionsAsync()).Count(t => t.Identifier == "1000001"));
        Assert.Equal(before - Euro.ToCents(winner.GetProperty("totalTtc").GetDecimal()), await Host.Sandbox.GetBalanceAsync("1000001"));
    }

    [Fact]
    public async Task Izly_answer_lost_after_the_debit_is_recovered_by_client_order_id_with_exactly_one_debit()
    {
        // Lucas Bernard; the sandbox commits the debit, then cuts the connection instead of answering.
        await using var till = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        var identified = await TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode("1000002"));
        var total = identified.GetProperty("totalTtc").GetDecimal();
        var fault = Host.Sandbox.Faults.DropAfterCommitNext(1, "/api/payments/debit/*", "POST");

        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" });

        Assert.DoesNotContain(Host.Sandbox.Faults.Active, f => f.Id == fault); // the fault did fire
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        var payment = paid.GetProperty("payment");
        Assert.Equal("Approved", payment.GetProperty("state").GetString());
        var debit = Assert.Single(await Host.Sandbox.GetTransactionsAsync(), t => t.Identifier == "1000002");
        Assert.Equal(debit.IdTransactionIzly, payment.GetProperty("idTransactionIzly").GetString());
        Assert.Equal(500 - Euro.ToCents(total), await Host.Sandbox.GetBalanceAsync("1000002"));
        var ticket = await WaitForTicketAsync(paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString()!);
        Assert.Equal(debit.IdTransactionIzly, Assert.Single(ticket.GetProperty("listeReglements").EnumerateArray()).GetProperty("idTransactionIzly").GetString());
    }

    [Fact]
    public async Task When_the_status_query_fails_too_the_payment_is_unknown_until_the_cashier_checks_it_and_is_never_paid_again()
    {
        // Camille: the debit's answer is lost AND Izly's status queries fail for a while, so the till hears "outcome
        // unknown" (a state of its own, design.md lesson 5) and must not take the money again.
        await using var till = await Host.ConnectAsync();
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, Host.Sandbox.IssueQrCode("1000001"));
        var before = await Host.Sandbox.GetBalanceAsync("1000001");
        var debitsBefore = (await Host.Sandbox.GetTransactionsAsync()).Count(t => t.Identifier == "1000001");
        Host.Sandbox.Faults.DropAfterCommitNext(1, "/api/payments/debit/*", "POST");
        var statusDown = Host.Sandbox.Faults.FailRate(1, "/api/payments/byClientOrderId/*", 503);
        var requestId = Guid.NewGuid();

        var unknown = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, requestId));

        Assert.Equal((int)ErrorCode.PaymentOutcomeUnknown, unknown.Code);
        Assert.Equal("Résultat du paiement inconnu : ne pas encaisser à nouveau, vérifier le paiement.", unknown.CashierMessage);
        var pending = await TillSteps.GetSaleAsync(till, saleId);
        Assert.Equal("Paying", pending.GetProperty("state").GetString());
        Assert.Equal("Unknown", pending.GetProperty("payment").GetProperty("state").GetString());
        // Izly did take the money: the middleware just does not know it yet.
        Assert.Equal(debitsBefore + 1, (await Host.Sandbox.GetTransactionsAsync()).Count(t => t.Identifier == "1000001"));
        // Another payment of this sale is refused while its outcome is unknown.
        var second = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }));
        Assert.Equal((int)ErrorCode.SaleStateInvalid, second.Code);

        // Izly answers again; the cashier presses "check the payment" (or the background pass gets there first).
        Assert.True(Host.Sandbox.Faults.Remove(statusDown));
        var resolved = await till.CallAsync("payment.resolve", new { paymentRequestId = requestId });
        Assert.Equal("Approved", resolved.GetProperty("state").GetString());
        var sale = await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(till, saleId), s => s.GetProperty("state").GetString() == "Committed",
            TimeSpan.FromSeconds(30), "the sale to be committed");
        Assert.Equal("Approved", sale.GetProperty("payment").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Object, sale.GetProperty("ticket").ValueKind);

        var debits = (await Host.Sandbox.GetTransactionsAsync()).Where(t => t.Identifier == "1000001").ToList();
        Assert.Equal(debitsBefore + 1, debits.Count);
        Assert.Equal(before - debits[^1].AmountCents, await Host.Sandbox.GetBalanceAsync("1000001"));
        Assert.Equal(debits[^1].IdTransactionIzly, resolved.GetProperty("idTransactionIzly").GetString());
        var third = await TillSteps.RefusedAsync(() => till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }));
        Assert.Equal((int)ErrorCode.SaleStateInvalid, third.Code);
    }

    private async Task<JsonElement> WaitForTicketAsync(string idTicketEntete)
    {
        var tickets = await TillSteps.WaitForAsync(() => Host.Sandbox.GetTicketsAsync(SaleHost.Till),
            list => list.Any(t => t.IdTicketEntete == idTicketEntete), TimeSpan.FromSeconds(60), $"ticket {idTicketEntete} in VEM");
        var stored = Assert.Single(tickets, t => t.IdTicketEntete == idTicketEntete);
        return JsonDocument.Parse(stored.Json).RootElement.Clone();
    }
}
