using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Api.Http;
using Middleware.Api.Izly;
using Middleware.Api.Tests.Support;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;

namespace Middleware.Api.Tests.Izly;

/// <summary>The Izly client against the real sandbox over HTTP.</summary>
public sealed class IzlyClientIntegrationTests
{
    private static readonly string Pos = ApiHarness.Pos.ToString();

    private static CardMedium Card(int n) => new(new CardIdentity((36000000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"04A1B2C3D4{n:X4}", CardTechnology.Desfire, "test reader", "SAM-01", true));

    private static string Holder(int n) => (1000000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Finds_a_right_holder_by_card_with_the_balance_in_euros()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();

        var holder = await izly.FindBySupportAsync(Pos, "36000001", "04A1B2C3D40001", default);

        Assert.Equal("1000001", holder.Identifier);
        Assert.Equal(15.25m, holder.Balance);
        Assert.Equal((10, 1), (holder.CodeSociete, holder.CodeTarif));
        Assert.Equal("ACTIF", holder.AccountStatus);
    }

    [Fact]
    public async Task Finds_a_right_holder_by_QR_code_sent_base64_and_percent_encoded()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();
        var qr = h.Server.IssueQrCode(Holder(11));

        var holder = await izly.FindByQrCodeAsync(Pos, qr, default);

        Assert.Equal(Holder(11), holder.Identifier);
        Assert.Equal((8000, 1), (holder.CodeSociete, holder.CodeTarif));
        Assert.Equal(IzlyAdapter.EncodeQrCode(qr), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(qr)));
    }

    [Fact]
    public async Task Debits_a_card_in_cents_and_answers_in_euros()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();

        var result = await izly.DebitAsync(new DebitRequest(Pos, "order-1", 3.30m, Card(1)), default);

        Assert.Equal(IzlyOperationStatus.Completed, result.Status);
        Assert.Equal(11.95m, result.BalanceAfter);
        Assert.Equal(1195, await h.Server.GetBalanceAsync(Holder(1)));
        var tx = Assert.Single(await h.Server.GetTransactionsAsync());
        Assert.Equal(330, tx.AmountCents);
        Assert.Equal(result.IdTransactionIzly, tx.IdTransactionIzly);
    }

    [Fact]
    public async Task An_amount_with_more_than_two_decimals_is_refused_before_anything_is_sent()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var izly = h.Izly(handler: wire);

        await Assert.ThrowsAsync<ArgumentException>(() => izly.DebitAsync(new DebitRequest(Pos, "order-x", 3.305m, Card(1)), default));
        Assert.Empty(wire.Calls);
    }

    [Fact]
    public async Task A_QR_code_debits_once_then_is_refused_as_already_used()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();
        var qr = h.Server.IssueQrCode(Holder(1));

        var first = await izly.DebitAsync(new DebitRequest(Pos, "qr-1", 1.20m, new QrMedium(qr)), default);
        var ex = await Assert.ThrowsAsync<IzlyRefusedException>(() => izly.DebitAsync(new DebitRequest(Pos, "qr-2", 1.20m, new QrMedium(qr)), default));

        Assert.Equal(IzlyOperationStatus.Completed, first.Status);
        Assert.Equal(IzlyRefusal.QrAlreadyUsed, ex.Refusal);
    }

    [Fact]
    public async Task Refusals_map_to_typed_reasons()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();

        async Task<IzlyRefusal> RefusalOf(int holder, decimal amount = 1m) =>
            (await Assert.ThrowsAsync<IzlyRefusedException>(() => izly.DebitAsync(new DebitRequest(Pos, $"r-{holder}-{amount}", amount, Card(holder)), default))).Refusal;

        var insufficient = await Assert.ThrowsAsync<IzlyRefusedException>(() => izly.DebitAsync(new DebitRequest(Pos, "poor", 3.30m, Card(3)), default));
        Assert.Equal(IzlyRefusal.InsufficientBalance, insufficient.Refusal);
        Assert.Equal(0.50m, insufficient.Balance);
        Assert.Equal(IzlyRefusal.AccountClosed, await RefusalOf(5));
        Assert.Equal(IzlyRefusal.AccountBlocked, await RefusalOf(7)); // 423, three wrong passwords
        Assert.Equal(IzlyRefusal.AccountBlocked, await RefusalOf(8)); // -41 opposition
        Assert.Equal(IzlyRefusal.AccountFrozen, await RefusalOf(9)); // 423 COMPTE_GELE
        Assert.Equal(IzlyRefusal.Expired, await RefusalOf(10)); // -8
        var unknown = await Assert.ThrowsAsync<IzlyRefusedException>(() => izly.FindBySupportAsync(Pos, "99999999", "04A1B2C3D4FFFF", default));
        Assert.Equal(IzlyRefusal.UnknownHolder, unknown.Refusal);
        Assert.Equal(1525, await h.Server.GetBalanceAsync(Holder(1)));
    }

    [Fact]
    public async Task A_debit_whose_answer_was_dropped_is_not_resent_and_is_recovered_by_clientOrderId()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var izly = h.Izly(handler: wire);
        await izly.FindBySupportAsync(Pos, "36000001", "04A1B2C3D40001", default); // key fetched outside the fault

        h.Server.Faults.DropAfterCommitNext(1, "/api/payments/debit/*", "POST");
        var lost = await Assert.ThrowsAsync<IzlyUnavailableException>(() => izly.DebitAsync(new DebitRequest(Pos, "lost-1", 3.30m, Card(1)), default));

        Assert.Contains("outcome unknown", lost.Message, StringComparison.Ordinal);
        Assert.Equal(1, wire.Count("POST", "/api/payments/debit/")); // never blindly retried
        Assert.Equal(1195, await h.Server.GetBalanceAsync(Holder(1))); // Izly did debit

        var recovered = await izly.GetDebitAsync(Pos, "lost-1", default);
        Assert.NotNull(recovered);
        Assert.Equal(IzlyOperationStatus.Completed, recovered.Status);
        Assert.Equal(11.95m, recovered.BalanceAfter);

        // Sending the same clientOrderId again is idempotent: the first result, no second debit.
        var repeat = await izly.DebitAsync(new DebitRequest(Pos, "lost-1", 3.30m, Card(1)), default);
        Assert.Equal(recovered.IdTransactionIzly, repeat.IdTransactionIzly);
        Assert.Equal(1195, await h.Server.GetBalanceAsync(Holder(1)));
        Assert.Single(await h.Server.GetTransactionsAsync());
    }

    [Fact]
    public async Task A_debit_refused_by_a_5xx_is_sent_once_and_the_lookup_says_nothing_happened()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var izly = h.Izly(handler: wire);
        await izly.FindBySupportAsync(Pos, "36000001", "04A1B2C3D40001", default);
        h.Server.Faults.FailNext(1, "/api/payments/debit/*", 503, "POST");

        await Assert.ThrowsAsync<IzlyUnavailableException>(() => izly.DebitAsync(new DebitRequest(Pos, "failed-1", 3.30m, Card(1)), default));

        Assert.Equal(1, wire.Count("POST", "/api/payments/debit/"));
        Assert.Null(await izly.GetDebitAsync(Pos, "failed-1", default));
        Assert.Equal(1525, await h.Server.GetBalanceAsync(Holder(1)));
    }

    [Fact]
    public async Task A_hanging_debit_times_out_as_unknown_outcome()
    {
        await using var h = await ApiHarness.StartAsync();
        var options = new IzlyOptions { BaseUrl = h.Server.BaseUrl, DebitTimeout = TimeSpan.FromMilliseconds(400) };
        var izly = h.Izly(options: options);
        await izly.FindBySupportAsync(Pos, "36000001", "04A1B2C3D40001", default);
        h.Server.Faults.HangNext(1, "/api/payments/debit/*", "POST");

        var ex = await Assert.ThrowsAsync<IzlyUnavailableException>(() => izly.DebitAsync(new DebitRequest(Pos, "slow-1", 1m, Card(1)), default));
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancels_a_debit_of_the_day_and_refunds()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();
        var debit = await izly.DebitAsync(new DebitRequest(Pos, "to-cancel", 2.00m, Card(1)), default);

        var status = await izly.CancelAsync(Pos, debit.IdTransactionIzly, default);

        Assert.Equal(IzlyOperationStatus.Cancelled, status);
        Assert.Equal(1525, await h.Server.GetBalanceAsync(Holder(1)));
        Assert.Equal(IzlyOperationStatus.Cancelled, (await izly.GetDebitAsync(Pos, "to-cancel", default))!.Status);
    }

    [Theory]
    [InlineData(409)]
    [InlineData(404)]
    [InlineData(502)]
    public async Task A_cancel_made_but_answered_with_an_error_is_unknown_not_refused(int status)
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var izly = h.Izly(handler: wire);
        var debit = await izly.DebitAsync(new DebitRequest(Pos, "cancel-lost", 2.00m, Card(1)), default);

        h.Server.Faults.FailAfterCommitNext(1, "/api/payments/*/cancel", status, "POST");
        var ex = await Assert.ThrowsAsync<IzlyUnavailableException>(() => izly.CancelAsync(Pos, debit.IdTransactionIzly, default));

        Assert.Contains("outcome unknown", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, wire.Count("POST", "/cancel")); // sent once
        Assert.Equal(1525, await h.Server.GetBalanceAsync(Holder(1))); // Izly did refund
        Assert.Equal(IzlyOperationStatus.Cancelled, (await izly.GetDebitAsync(Pos, "cancel-lost", default))!.Status);
        Assert.Equal(IzlyOperationStatus.Cancelled, await izly.CancelAsync(Pos, debit.IdTransactionIzly, default)); // a retry is harmless
        Assert.Equal(1525, await h.Server.GetBalanceAsync(Holder(1)));
    }

    [Fact]
    public async Task Izlys_own_refusals_of_a_cancel_are_definite()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();

        var unknown = await Assert.ThrowsAsync<IzlyRefusedException>(() => izly.CancelAsync(Pos, "987654321", default));
        Assert.Contains("404", unknown.Message, StringComparison.Ordinal);

        // Yesterday's debit can no longer be refunded: 422 -63.
        var debit = await izly.DebitAsync(new DebitRequest(Pos, "yesterday", 1.00m, Card(1)), default);
        h.SandboxTime.Advance(TimeSpan.FromDays(1));
        var late = await Assert.ThrowsAsync<IzlyRefusedException>(() => izly.CancelAsync(Pos, debit.IdTransactionIzly, default));
        Assert.Contains("-63", late.Message, StringComparison.Ordinal);
        Assert.Equal(1425, await h.Server.GetBalanceAsync(Holder(1)));
    }

    [Fact]
    public async Task A_stale_Izly_key_is_fetched_again_from_VEM_once()
    {
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem();
        var keys = new IzlyKeyStore(vem);
        keys.Set(ApiHarness.Pos, "an-old-key");
        var izly = new IzlyClient(new IzlyOptions { BaseUrl = h.Server.BaseUrl }, keys, TimeProvider.System, NullLogger<IzlyClient>.Instance);

        var holder = await izly.FindBySupportAsync(Pos, "36000001", "04A1B2C3D40001", default);

        Assert.Equal("1000001", holder.Identifier);
        Assert.Equal(h.Seed.PointOfSale(ApiHarness.Pos).CleIzly, await keys.GetAsync(ApiHarness.Pos, false, default));
        izly.Dispose();
    }

    [Fact]
    public async Task IzlyPay_web_payment_is_created_and_verified_by_the_verification_call()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();

        var started = await izly.StartWebPaymentAsync(Pos, "web-1", 4.50m, "Commande 42", null, null, default);
        var state = await izly.GetWebPaymentAsync(Pos, started.OperationId, "web-1", default);
        var forged = await izly.GetWebPaymentAsync(Pos, started.OperationId, "another-order", default);

        Assert.True(started.PaymentUrl.IsAbsoluteUri);
        Assert.StartsWith(h.Server.BaseUrl.ToString(), started.PaymentUrl.ToString(), StringComparison.Ordinal);
        Assert.Equal(IzlyOperationStatus.Waiting, state.Status);
        Assert.Null(state.Error);
        Assert.Contains("orderId mismatch", forged.Error, StringComparison.Ordinal);
        var stored = Assert.Single(await h.Server.GetWebPaymentsAsync());
        Assert.Equal(450, stored.AmountCents);
    }

    [Fact]
    public async Task Unknown_clientOrderId_is_null()
    {
        await using var h = await ApiHarness.StartAsync();
        Assert.Null(await h.Izly().GetDebitAsync(Pos, "never-sent", default));
    }
}
