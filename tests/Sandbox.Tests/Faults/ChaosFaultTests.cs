using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Middleware.Sandbox.Faults;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Tests.IzlyPay;

namespace Middleware.Sandbox.Tests.Faults;

/// <summary>The two faults of the chaos harness played by the handlers: a late IzlyPay confirmation and a ticket refused
/// after its Izly debit, switched through <c>/_sandbox/faults</c> and listed by <c>/_sandbox/faults/injected</c>.</summary>
public sealed class ChaosFaultTests
{
    [Fact]
    public async Task A_late_confirmation_keeps_the_payment_waiting_then_takes_the_money_after_the_delay()
    {
        await using var h = await SandboxHarness.StartAsync();
        var holder = h.Seed.RightHolder("1000016");
        var before = await h.Server.GetBalanceAsync(holder.Identifier);
        await using var merchant = await MerchantListener.StartAsync();
        await AddRuleAsync(h, new { lateConfirmationMs = 60_000, times = 1 });
        var late = await StartAsync(h, 1250, "web-late", merchant);

        using (var confirm = await ConfirmAsync(h, late, holder))
        {
            Assert.Equal(HttpStatusCode.Accepted, confirm.StatusCode);
            Assert.Contains("en cours", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The customer presses again: still held, nothing taken.
        using (var again = await ConfirmAsync(h, late, holder))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        h.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, (await WebPaymentTests.VerifyAsync(h, late.OperationId)).GetProperty("operationStatus").GetInt32());
        Assert.Equal(before, await h.Server.GetBalanceAsync(holder.Identifier));
        Assert.Empty(await h.Server.GetFaultsActiveAsync());
        Assert.Empty(merchant.Callbacks);

        // The rule was used once: the next customer's confirmation goes through at once.
        var onTime = await StartAsync(h, 300, "web-on-time");
        using (var confirm = await ConfirmAsync(h, onTime, holder))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await PollAsync(async () => (await WebPaymentTests.VerifyAsync(h, late.OperationId)).GetProperty("operationStatus").GetInt32() == 1);
        Assert.Equal(before - 1250 - 300, await h.Server.GetBalanceAsync(holder.Identifier));
        // Izly tells the merchant, late: the callback of a completed payment the merchant may have given up on.
        var callback = (await merchant.FirstCallback.WaitAsync(TimeSpan.FromSeconds(10))).GetProperty("operationSMoney");
        Assert.Equal((1, "web-late"), (callback.GetProperty("status").GetInt32(), callback.GetProperty("clientOrderId").GetString()));
        var injected = Assert.Single(await InjectedAsync(h));
        Assert.Equal(InjectedFault.LateIzlyPayConfirmation, injected.Kind);
        Assert.Equal(("web-late", late.OperationId, SandboxSeed.MainTill.ToString()), (injected.ClientOrderId, injected.IdTransactionIzly, injected.AppId));
        Assert.Equal(SandboxHarness.Start.AddSeconds(60), injected.DueAt);
        var paid = (await h.Server.GetWebPaymentsAsync()).Single(w => w.OperationId == late.OperationId);
        Assert.Equal(1, paid.Status);
    }

    [Fact]
    public async Task A_ticket_paid_by_Izly_is_refused_after_its_debit_and_recorded_while_repeats_and_unpaid_tickets_pass()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        using (var debit = await h.DebitSupportAsync("36000001", 330, "order-refused"))
        {
            Assert.Equal(HttpStatusCode.OK, debit.StatusCode);
        }

        var tx = (await h.Server.GetTransactionsAsync()).Single().IdTransactionIzly;
        var stored = h.ValidTicket("140000010", 1) with { ListeReglements = [new() { CodeReglement = 9, Montant = 3.30m, IdSupport = "36000001", IdTransactionIzly = tx, NumeroApplicatif = "04A1B2C3D40001" }] };
        using (var first = await h.PostTicketAsync(token, stored))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        await AddRuleAsync(h, new { refuseTicketAfterDebit = true, times = 1 });
        // Not hit: a repeat of a stored ticket, and an Izly ticket whose transaction Izly does not have.
        using (var repeat = await h.PostTicketAsync(token, stored))
        {
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        }

        var unknown = h.ValidTicket("140000011", 2) with { ListeReglements = [stored.ListeReglements[0] with { IdTransactionIzly = "99999" }] };
        using (var unknownAnswer = await h.PostTicketAsync(token, unknown))
        {
            Assert.Equal(HttpStatusCode.Created, unknownAnswer.StatusCode);
        }

        using (var debit = await h.DebitSupportAsync("36000001", 330, "order-refused-2"))
        {
            Assert.Equal(HttpStatusCode.OK, debit.StatusCode);
        }

        var tx2 = (await h.Server.GetTransactionsAsync()).Single(t => t.ClientOrderId == "order-refused-2").IdTransactionIzly;
        var refused = h.ValidTicket("140000012", 3) with { ListeReglements = [stored.ListeReglements[0] with { IdTransactionIzly = tx2 }] };
        using (var answer = await h.PostTicketAsync(token, refused))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
            Assert.Equal("-99", (await SandboxHarness.ErrorAsync(answer)).Code);
        }

        Assert.DoesNotContain(await h.Server.GetTicketsAsync(), t => t.IdTicketEntete == "140000012");
        var injected = Assert.Single(await InjectedAsync(h));
        Assert.Equal((InjectedFault.TicketRefusedAfterDebit, "order-refused-2", tx2, "140000012", refused.NumeroTicket),
            (injected.Kind, injected.ClientOrderId, injected.IdTransactionIzly, injected.IdTicketEntete, injected.NumeroTicket));

        // times 1: the same ticket sent again is accepted.
        using var retry = await h.PostTicketAsync(token, refused);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task A_probability_of_zero_never_hits_and_the_rule_stays()
    {
        await using var h = await SandboxHarness.StartAsync();
        var id = await AddRuleAsync(h, new { lateConfirmationMs = 60_000, probability = 0.0 });
        var web = await StartAsync(h, 500, "web-never-late");

        using var confirm = await ConfirmAsync(h, web, h.Seed.RightHolder("1000016"));

        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Equal(1, (await WebPaymentTests.VerifyAsync(h, web.OperationId)).GetProperty("operationStatus").GetInt32());
        Assert.Equal(id, Assert.Single(await h.Server.GetFaultsActiveAsync()).Id);
        Assert.Empty(await InjectedAsync(h));
    }

    [Theory]
    [InlineData("""{"lateConfirmationMs":1000,"errorRate":0.5}""")]
    [InlineData("""{"refuseTicketAfterDebit":true,"dropAfterCommit":true}""")]
    [InlineData("""{"refuseTicketAfterDebit":true,"lateConfirmationMs":1000}""")]
    [InlineData("""{"refuseTicketAfterDebit":true,"probability":1.5}""")]
    [InlineData("""{"lateConfirmationMs":0}""")]
    public async Task An_incoherent_rule_is_refused(string rule)
    {
        await using var h = await SandboxHarness.StartAsync();
        using var answer = await h.Http.PostAsync("_sandbox/faults", new StringContent(rule, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Empty(h.Server.Faults.Active);
    }

    private sealed record Started(string OperationId, Uri Url);

    private static async Task<string> AddRuleAsync(SandboxHarness h, object rule)
    {
        using var answer = await h.Http.PostAsJsonAsync("_sandbox/faults", rule);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        return (await SandboxHarness.JsonAsync(answer)).GetProperty("id").GetString()!;
    }

    private static async Task<Started> StartAsync(SandboxHarness h, long amount, string order, MerchantListener? merchant = null)
    {
        var created = await WebPaymentTests.CreateAsync(h, amount, order, merchant);
        return new Started(created.GetProperty("operationSMoney").GetProperty("id").GetString()!, new Uri(created.GetProperty("paymentAuthorizationUrl").GetString()!));
    }

    private static async Task<HttpResponseMessage> ConfirmAsync(SandboxHarness h, Started web, SandboxRightHolder holder)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = h.Server.BaseUrl };
        var session = System.Web.HttpUtility.ParseQueryString(web.Url.Query)["s"]!;
        using (var login = await browser.PostAsync(web.Url.AbsolutePath + "/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["s"] = session, ["login"] = holder.Email, ["password"] = holder.Password })))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        return await browser.PostAsync(web.Url.AbsolutePath + "/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["s"] = session, ["action"] = "confirm" }));
    }

    private static async Task<IReadOnlyList<InjectedFault>> InjectedAsync(SandboxHarness h)
    {
        var listed = await h.Http.GetFromJsonAsync<List<InjectedFault>>("_sandbox/faults/injected");
        Assert.Equal(h.Server.Faults.Injected, listed);
        return listed!;
    }

    private static async Task PollAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not done within 10 s");
            await Task.Delay(20);
        }
    }
}

internal static class FaultsHttp
{
    public static async Task<IReadOnlyList<ActiveFault>> GetFaultsActiveAsync(this SandboxServer server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        return (await http.GetFromJsonAsync<List<ActiveFault>>("_sandbox/faults", new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
    }
}
