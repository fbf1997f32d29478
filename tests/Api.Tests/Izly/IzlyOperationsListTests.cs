using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Api.Izly;
using Middleware.Api.Tests.Support;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;

namespace Middleware.Api.Tests.Izly;

/// <summary>The [designed] reconciliation list (crous-izly-api.md §5.1) read by the Izly client from the real sandbox.</summary>
public sealed class IzlyOperationsListTests
{
    private static readonly string Pos = ApiHarness.Pos.ToString();

    private static CardMedium Card(int n) => new(new CardIdentity((36000000 + n).ToString(CultureInfo.InvariantCulture), $"04A1B2C3D4{n:X4}", CardTechnology.Desfire, "test reader", "SAM-01", true));

    private static string Holder(int n) => (1000000 + n).ToString(CultureInfo.InvariantCulture);

    private static readonly DateTimeOffset Day = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    private static IzlyOptions Options(ApiHarness h, int pageSize = 200, int maxOperations = 50_000) => new()
    {
        BaseUrl = h.Server.BaseUrl,
        Timeout = TimeSpan.FromSeconds(10),
        DebitTimeout = TimeSpan.FromSeconds(10),
        Retry = new Middleware.Api.Http.RetryOptions { MaxRetries = 0 },
        OperationsPageSize = pageSize,
        MaxOperations = maxOperations,
    };

    [Fact]
    public async Task Lists_card_QR_and_IzlyPay_payments_and_a_refund_in_euros_with_their_order_ids()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();
        var card = await izly.DebitAsync(new DebitRequest(Pos, "order-card", 3.30m, Card(16)), default);
        var qr = await izly.DebitAsync(new DebitRequest(Pos, "order-qr", 1.10m, new QrMedium(h.Server.IssueQrCode(Holder(17)))), default);
        var refunded = await izly.DebitAsync(new DebitRequest(Pos, "order-refunded", 7.45m, Card(18)), default);
        h.SandboxTime.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(IzlyOperationStatus.Cancelled, await izly.CancelAsync(Pos, refunded.IdTransactionIzly, default));
        var web = await izly.StartWebPaymentAsync(Pos, "order-web", 12.50m, "Commande", null, null, default);
        await ConfirmAsync(h, web, Holder(19));
        await izly.StartWebPaymentAsync(Pos, "order-web-waiting", 2.00m, "Commande", null, null, default);

        var list = await ((IIzlyOperations)izly).ListOperationsAsync(ApiHarness.Pos, Day, Day.AddDays(1), default);

        Assert.Equal(["order-card", "order-qr", "order-refunded", "order-web", "order-web-waiting"], list.Select(o => o.ClientOrderId));
        var byOrder = list.ToDictionary(o => o.ClientOrderId);
        Assert.Equal((card.IdTransactionIzly, 3.30m, IzlyOperationStatus.Completed, "support"), Of(byOrder["order-card"]));
        Assert.Equal((qr.IdTransactionIzly, 1.10m, IzlyOperationStatus.Completed, "qrcode"), Of(byOrder["order-qr"]));
        Assert.Equal((refunded.IdTransactionIzly, 7.45m, IzlyOperationStatus.Cancelled, "support"), Of(byOrder["order-refunded"]));
        Assert.Equal((web.OperationId, 12.50m, IzlyOperationStatus.Completed, "izlypay"), Of(byOrder["order-web"]));
        Assert.Equal(IzlyOperationStatus.Waiting, byOrder["order-web-waiting"].Status);
        Assert.Equal(ApiHarness.Start.AddMinutes(5), byOrder["order-refunded"].RefundedAt);
        Assert.Equal(ApiHarness.Start.AddMinutes(5), byOrder["order-refunded"].UpdatedAt);
        Assert.Equal(ApiHarness.Start, byOrder["order-refunded"].CreatedAt);
        Assert.Null(byOrder["order-card"].RefundedAt);
        Assert.All(list, o => Assert.Equal(ApiHarness.Pos, o.PointOfSale));
    }

    [Fact]
    public async Task Reads_every_page_in_id_order()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var izly = h.Izly(options: Options(h, pageSize: 2), handler: wire);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await izly.DebitAsync(new DebitRequest(Pos, $"order-{i}", 1.00m + i, Card(16 + (i % 4))), default)).IdTransactionIzly);
        }

        var list = await izly.ListOperationsAsync(ApiHarness.Pos, Day, Day.AddDays(1), default);

        Assert.Equal(ids, list.Select(o => o.IdTransactionIzly));
        Assert.Equal([1.00m, 2.00m, 3.00m, 4.00m, 5.00m], list.Select(o => o.Amount));
        Assert.Equal(3, wire.Count("GET", "/api/payments"));
    }

    [Fact]
    public async Task Lists_only_the_range_asked_and_only_its_own_point_of_sale()
    {
        await using var h = await ApiHarness.StartAsync();
        var izly = h.Izly();
        await izly.DebitAsync(new DebitRequest(Pos, "today", 3.30m, Card(16)), default);
        h.SandboxTime.Advance(TimeSpan.FromDays(1));
        await izly.DebitAsync(new DebitRequest(Pos, "tomorrow", 3.30m, Card(17)), default);

        var today = await izly.ListOperationsAsync(ApiHarness.Pos, Day, Day.AddDays(1), default);
        var tomorrow = await izly.ListOperationsAsync(ApiHarness.Pos, Day.AddDays(1), Day.AddDays(2), default);
        var before = await izly.ListOperationsAsync(ApiHarness.Pos, Day.AddDays(-1), Day, default);
        var otherTill = Middleware.Domain.PointsOfSale.PointOfSaleId.Parse("5-1-9-8-15");
        var other = await h.Izly(h.Vem(secrets: h.Secrets(otherTill))).ListOperationsAsync(otherTill, Day, Day.AddDays(2), default);

        Assert.Equal("today", Assert.Single(today).ClientOrderId);
        Assert.Equal("tomorrow", Assert.Single(tomorrow).ClientOrderId);
        Assert.Empty(before);
        Assert.Empty(other);
    }

    [Fact]
    public async Task A_bad_range_is_refused_before_anything_is_sent()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var izly = h.Izly(handler: wire);

        await Assert.ThrowsAsync<ArgumentException>(() => izly.ListOperationsAsync(ApiHarness.Pos, Day, Day, default));
        await Assert.ThrowsAsync<ArgumentException>(() => izly.ListOperationsAsync(ApiHarness.Pos, Day, Day.AddDays(32), default));
        Assert.Empty(wire.Calls);
    }

    public static TheoryData<string, string> Tamperings => new()
    {
        { "negative-amount", "not a positive number of cents" },
        { "no-client-order-id", "no clientOrderId" },
        { "unknown-status", "is not one of Izly's operation statuses" },
        { "out-of-range", "in the range asked" },
        { "refund-date-on-completed", "refundedAt on an operation Completed" },
        { "total-inflated", "totalCount 3 but 2 operations" },
        { "wrong-page", "answered as page 7" },
        { "too-many-on-page", "operations on a page of 2" },
        { "not-json", "not the expected JSON" },
        { "huge-total", "more than CrousApis:Izly:MaxOperations" },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task A_hostile_answer_refuses_the_whole_list_and_says_what_is_wrong(string tampering, string expected)
    {
        await using var h = await ApiHarness.StartAsync();
        using var izly = new IzlyClient(Options(h, pageSize: 2, maxOperations: 1000), new IzlyKeyStore(h.Vem()), TimeProvider.System,
            NullLogger<IzlyClient>.Instance, new TamperingHandler(body => Tamper(tampering, body)));
        await izly.DebitAsync(new DebitRequest(Pos, "order-1", 3.30m, Card(16)), default);
        await izly.DebitAsync(new DebitRequest(Pos, "order-2", 1.10m, Card(17)), default);

        var e = await Assert.ThrowsAsync<IzlyUnavailableException>(() => izly.ListOperationsAsync(ApiHarness.Pos, Day, Day.AddDays(1), default));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("The list is not used", e.Message, StringComparison.Ordinal);
    }

    private static (string, decimal, IzlyOperationStatus, string) Of(IzlyOperation o) => (o.IdTransactionIzly, o.Amount, o.Status, o.Means);

    private static string Tamper(string tampering, string body)
    {
        if (tampering == "not-json")
        {
            return "<html>proxy error</html>";
        }

        var page = JsonNode.Parse(body)!.AsObject();
        var operations = page["operations"]!.AsArray();
        if (operations.Count == 0)
        {
            // The last page: only the page's own fields can be rewritten.
            page["totalCount"] = tampering == "total-inflated" ? 3 : page["totalCount"]!.GetValue<int>();
            return page.ToJsonString();
        }

        var first = operations[0]!.AsObject();
        switch (tampering)
        {
            case "negative-amount": first["amount"] = -330; break;
            case "no-client-order-id": first.Remove("clientOrderId"); break;
            case "unknown-status": first["status"] = 42; break;
            case "out-of-range": first["createdAt"] = "2020-01-01T00:00:00+00:00"; first["updatedAt"] = "2020-01-01T00:00:00+00:00"; break;
            case "refund-date-on-completed": first["refundedAt"] = first["createdAt"]!.GetValue<string>(); break;
            case "total-inflated": page["totalCount"] = 3; break;
            case "wrong-page": page["page"] = 7; break;
            case "too-many-on-page": operations.Add(first.DeepClone()); break;
            case "huge-total": page["totalCount"] = 1_000_000; break;
        }

        return page.ToJsonString();
    }

    private static async Task ConfirmAsync(ApiHarness h, WebPaymentStarted web, string identifier)
    {
        var holder = h.Seed.RightHolder(identifier);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = h.Server.BaseUrl };
        var session = System.Web.HttpUtility.ParseQueryString(web.PaymentUrl.Query)["s"]!;
        var path = web.PaymentUrl.AbsolutePath;
        using var login = await browser.PostAsync(path + "/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["s"] = session, ["login"] = holder.Email, ["password"] = holder.Password }));
        login.EnsureSuccessStatusCode();
        using var confirm = await browser.PostAsync(path + "/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["s"] = session, ["action"] = "confirm" }));
        confirm.EnsureSuccessStatusCode();
    }

    /// <summary>A proxy on the way back: the sandbox's real answer to the list, rewritten.</summary>
    private sealed class TamperingHandler(Func<string, string> tamper) : DelegatingHandler(new SocketsHttpHandler { UseProxy = false })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath == "/api/payments" && response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                response.Content = new StringContent(tamper(body), System.Text.Encoding.UTF8, "application/json");
            }

            return response;
        }
    }
}
