using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.IzlyPay;

public sealed class WebPaymentTests
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server"];

    internal static async Task<JsonElement> CreateAsync(SandboxHarness h, long amount, string order, MerchantListener? merchant)
    {
        using var req = h.Izly(HttpMethod.Post, "api/Izly/WebPayments", new
        {
            amount, clientOrderId = order, callbackParameters = "till=14", redirectUrlAfterPayment = merchant?.ReturnUrl.ToString(), message = "Commande en ligne",
            callbackUrl = merchant?.CallbackUrl.ToString(),
        });
        req.Headers.Accept.ParseAdd("application/json");
        req.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.s-money.v1+json");
        using var r = await h.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await SandboxHarness.JsonAsync(r);
    }

    internal static async Task<JsonElement> VerifyAsync(SandboxHarness h, string operationId)
    {
        using var r = await h.Http.SendAsync(h.Izly(HttpMethod.Get, $"api/Izly/WebPayments/{operationId}"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await SandboxHarness.JsonAsync(r);
    }

    [Fact]
    public async Task Headless_Chromium_logs_in_confirms_the_merchant_gets_the_callback_and_verification_says_paid()
    {
        await using var h = await SandboxHarness.StartAsync();
        await using var merchant = await MerchantListener.StartAsync();
        var created = await CreateAsync(h, 1250, "web-1", merchant);
        var operationId = created.GetProperty("operationSMoney").GetProperty("id").GetString()!;
        var url = created.GetProperty("paymentAuthorizationUrl").GetString()!;
        Assert.Equal(0, (await VerifyAsync(h, operationId)).GetProperty("operationStatus").GetInt32());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 120_000,
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(url);
        var holder = h.Seed.RightHolder("1000015");

        // A wrong password first: the page says so and nothing is paid.
        await page.FillAsync("#login", holder.Email);
        await page.FillAsync("#password", "wrong");
        await page.ClickAsync("#submit-login");
        Assert.Contains("incorrect", await page.TextContentAsync("#error") ?? "", StringComparison.Ordinal);

        await page.FillAsync("#login", holder.Email);
        await page.FillAsync("#password", holder.Password);
        await page.ClickAsync("#submit-login");
        Assert.Contains("12,50", await page.TextContentAsync("#amount") ?? "", StringComparison.Ordinal);
        await page.ClickAsync("#confirm");
        await page.WaitForSelectorAsync("#thanks");
        Assert.Equal(merchant.ReturnUrl.ToString(), page.Url);

        var callback = await merchant.FirstCallback.WaitAsync(TimeSpan.FromSeconds(30));
        var op = callback.GetProperty("operationSMoney");
        Assert.Equal(operationId, op.GetProperty("id").GetString());
        Assert.Equal("web-1", op.GetProperty("clientOrderId").GetString());
        Assert.Equal(1250, op.GetProperty("amount").GetInt64());
        Assert.Equal(1, op.GetProperty("status").GetInt32());
        Assert.Equal("till=14", op.GetProperty("callbackParameters").GetString());
        Assert.Matches(@"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$", op.GetProperty("date").GetString());
        Assert.Equal("1000015", callback.GetProperty("user").GetProperty("clientCode").GetString());
        Assert.Equal(JsonValueKind.Null, callback.GetProperty("error").ValueKind);

        var verified = await VerifyAsync(h, operationId);
        Assert.Equal(1, verified.GetProperty("operationStatus").GetInt32());
        Assert.Equal("web-1", verified.GetProperty("orderId").GetString());
        Assert.Equal(JsonValueKind.Null, verified.GetProperty("error").ValueKind);
        Assert.Equal(100000 - 1250, await h.Server.GetBalanceAsync("1000015"));
        var stored = Assert.Single(await h.Server.GetWebPaymentsAsync());
        Assert.Equal(200, stored.CallbackHttpStatus);
    }

    [Fact]
    public async Task Over_plain_HTTP_forms_refused_for_balance_then_cancelled_payments_verify_with_their_error()
    {
        await using var h = await SandboxHarness.StartAsync();
        await using var merchant = await MerchantListener.StartAsync();
        using var browserless = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = h.Server.BaseUrl };

        async Task<(string Id, string Session)> Pay(long amount, string order, string action, string identifier)
        {
            var created = await CreateAsync(h, amount, order, merchant);
            var id = created.GetProperty("operationSMoney").GetProperty("id").GetString()!;
            var url = new Uri(created.GetProperty("paymentAuthorizationUrl").GetString()!);
            var session = System.Web.HttpUtility.ParseQueryString(url.Query)["s"]!;
            using (var page = await browserless.GetAsync(url.PathAndQuery))
            {
                Assert.Contains("id=\"login-form\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var holder = h.Seed.RightHolder(identifier);
            using (var login = await browserless.PostAsync($"izlypay/pay/{id}/login", new FormUrlEncodedContent(new Dictionary<string, string>
                { ["s"] = session, ["login"] = holder.Email, ["password"] = holder.Password })))
            {
                Assert.Contains("id=\"confirm\"", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using var confirm = await browserless.PostAsync($"izlypay/pay/{id}/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["s"] = session, ["action"] = action }));
            Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
            return (id, session);
        }

        // Léa has 0.50 €: refused for balance, the error travels in the verification and the callback.
        var (refused, _) = await Pay(330, "web-poor", "confirm", "1000003");
        var v1 = await VerifyAsync(h, refused);
        Assert.Equal(3, v1.GetProperty("operationStatus").GetInt32());
        Assert.Equal("-50", v1.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(50, await h.Server.GetBalanceAsync("1000003"));

        var (cancelled, session) = await Pay(330, "web-cancel", "cancel", "1000001");
        var v2 = await VerifyAsync(h, cancelled);
        Assert.Equal(5, v2.GetProperty("operationStatus").GetInt32());
        Assert.Equal(1525, await h.Server.GetBalanceAsync("1000001"));

        // A settled payment cannot be confirmed again; a wrong session is refused.
        using (var twice = await browserless.PostAsync($"izlypay/pay/{cancelled}/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["s"] = session, ["action"] = "confirm" })))
        {
            Assert.Contains("data-status=\"5\"", await twice.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrong = await browserless.GetAsync($"izlypay/pay/{cancelled}?s=nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        }

        Assert.Equal(1525, await h.Server.GetBalanceAsync("1000001"));
        Assert.Equal(2, merchant.Callbacks.Count);

        // The verification is per merchant and unknown ids are 404.
        using var other = await h.Http.SendAsync(h.Izly(HttpMethod.Get, $"api/Izly/WebPayments/{refused}", pos: SandboxSeed.SecondTill));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Creating_a_web_payment_needs_the_Izly_key_and_an_amount()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var badKey = await h.Http.SendAsync(h.Izly(HttpMethod.Post, "api/Izly/WebPayments", new { amount = 100, clientOrderId = "x" }, key: "nope"));
        Assert.Equal(HttpStatusCode.Unauthorized, badKey.StatusCode);
        using var noAmount = await h.Http.SendAsync(h.Izly(HttpMethod.Post, "api/Izly/WebPayments", new { clientOrderId = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, noAmount.StatusCode);
        // The raw-key form of §8 (Authorization: Basic <key>, AppIdentifier) is accepted too.
        using var raw = new HttpRequestMessage(HttpMethod.Post, "api/Izly/WebPayments") { Content = System.Net.Http.Json.JsonContent.Create(new { amount = 100, clientOrderId = "raw" }) };
        raw.Headers.TryAddWithoutValidation("Authorization", "Basic " + h.Seed.PointOfSale(SandboxSeed.MainTill).CleIzly);
        raw.Headers.Add("AppIdentifier", "5-1-9-8-14");
        using var ok = await h.Http.SendAsync(raw);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
