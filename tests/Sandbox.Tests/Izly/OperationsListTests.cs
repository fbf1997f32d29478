using System.Net;
using System.Text.Json;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Tests.IzlyPay;

namespace Middleware.Sandbox.Tests.Izly;

/// <summary>The [designed] reconciliation list <c>GET /api/payments</c> (crous-izly-api.md §5.1) on the wire.</summary>
public sealed class OperationsListTests
{
    private const string Day = "from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z";

    [Fact]
    public async Task Lists_debits_web_payments_and_a_refund_of_the_point_of_sale_in_cents_by_id()
    {
        await using var h = await SandboxHarness.StartAsync();
        using (await h.DebitSupportAsync("36000016", 330, "card-1"))
        using (await h.DebitQrAsync(h.Server.IssueQrCode("1000017"), 110, "qr-1"))
        using (await h.DebitSupportAsync("36000018", 745, "card-refunded"))
        using (await h.DebitSupportAsync("36000015", 100, "other-till", SandboxSeed.SecondTill))
        {
        }

        var refunded = (await h.Server.GetTransactionsAsync()).Single(t => t.ClientOrderId == "card-refunded").IdTransactionIzly;
        h.Time.Advance(TimeSpan.FromMinutes(3));
        using (var cancel = await h.Http.SendAsync(h.Izly(HttpMethod.Post, $"api/payments/{refunded}/cancel")))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var web = await WebPaymentTests.CreateAsync(h, 1250, "web-1", null);

        var page = await ListAsync(h, Day);

        Assert.Contains(await h.Server.GetTransactionsAsync(), t => t.ClientOrderId == "other-till");
        Assert.Equal(4, page.GetProperty("totalCount").GetInt32());
        var ops = page.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(["card-1", "qr-1", "card-refunded", "web-1"], ops.Select(o => o.GetProperty("clientOrderId").GetString()!));
        Assert.Equal([330L, 110L, 745L, 1250L], ops.Select(o => o.GetProperty("amount").GetInt64()));
        Assert.Equal(["support", "qrcode", "support", "izlypay"], ops.Select(o => o.GetProperty("means").GetString()));
        Assert.Equal([1, 1, 5, 0], ops.Select(o => o.GetProperty("status").GetInt32()));
        Assert.Equal(web.GetProperty("operationSMoney").GetProperty("id").GetString(), ops[3].GetProperty("idTransactionIzly").GetString());
        Assert.Equal(SandboxHarness.Start.AddMinutes(3), ops[2].GetProperty("refundedAt").GetDateTimeOffset());
        Assert.Equal(SandboxHarness.Start.AddMinutes(3), ops[2].GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, ops[0].GetProperty("refundedAt").ValueKind);
    }

    [Fact]
    public async Task Pages_by_id_with_the_total_on_every_page()
    {
        await using var h = await SandboxHarness.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            using var _ = await h.DebitSupportAsync("36000016", 100 + i, $"order-{i}");
        }

        var pages = new List<JsonElement>();
        for (var p = 1; p <= 3; p++)
        {
            pages.Add(await ListAsync(h, $"{Day}&page={p}&pageSize=2"));
        }

        Assert.All(pages, p => Assert.Equal(5, p.GetProperty("totalCount").GetInt32()));
        Assert.Equal([2, 2, 1], pages.Select(p => p.GetProperty("operations").GetArrayLength()));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => 100L + i), pages.SelectMany(p => p.GetProperty("operations").EnumerateArray()).Select(o => o.GetProperty("amount").GetInt64()));
    }

    [Fact]
    public async Task A_day_later_shows_only_what_changed_that_day()
    {
        await using var h = await SandboxHarness.StartAsync();
        using (await h.DebitSupportAsync("36000016", 330, "yesterday"))
        {
        }

        h.Time.Advance(TimeSpan.FromDays(1));
        using (await h.DebitSupportAsync("36000016", 440, "today"))
        {
        }

        var next = await ListAsync(h, "from=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z");

        Assert.Equal("today", Assert.Single(next.GetProperty("operations").EnumerateArray().ToList()).GetProperty("clientOrderId").GetString());
    }

    [Theory]
    [InlineData("from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z", "to")]
    [InlineData("from=2026-10-01T00:00:00Z&to=2026-11-26T00:00:00Z", "to")]
    [InlineData("from=yesterday&to=2026-11-26T00:00:00Z", "from")]
    [InlineData("to=2026-11-26T00:00:00Z", "from")]
    [InlineData(Day + "&pageSize=501", "page")]
    [InlineData(Day + "&page=0", "page")]
    public async Task A_bad_query_is_answered_400(string query, string field)
    {
        await using var h = await SandboxHarness.StartAsync();
        using var answer = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments?" + query));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(("-2", field), ((await SandboxHarness.ErrorAsync(answer)).Code, (await SandboxHarness.ErrorAsync(answer)).Field));
    }

    [Fact]
    public async Task Without_the_Izly_key_nothing_is_listed()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var answer = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments?" + Day, key: "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    private static async Task<JsonElement> ListAsync(SandboxHarness h, string query)
    {
        using var answer = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments?" + query));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return await SandboxHarness.JsonAsync(answer);
    }
}
