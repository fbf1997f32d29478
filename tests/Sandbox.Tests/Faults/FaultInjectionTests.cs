using System.Diagnostics;
using System.Net;
using System.Text;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Faults;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task FailNext_answers_503_on_the_matching_route_only_then_stops()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        h.Server.Faults.FailNext(1, "/api/rightholders/*");
        using (var vem = await h.GetVemAsync("tva", token))
        {
            Assert.Equal(HttpStatusCode.OK, vem.StatusCode);
        }

        Assert.Single(h.Server.Faults.Active);
        using (var failed = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/rightholders/searchSupport?idSupport=36000001")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal("-99", (await SandboxHarness.ErrorAsync(failed)).Code);
        }

        Assert.Empty(h.Server.Faults.Active);
        using var ok = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/rightholders/searchSupport?idSupport=36000001"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task An_injected_error_does_not_run_the_handler()
    {
        await using var h = await SandboxHarness.StartAsync();
        h.Server.Faults.FailNext(1, "/api/payments/debit/*", status: 500);
        using var r = await h.DebitSupportAsync("36000001", 100, "f-1");
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Equal(1525, await h.Server.GetBalanceAsync("1000001"));
        Assert.Empty(await h.Server.GetTransactionsAsync());
    }

    [Fact]
    public async Task A_hang_makes_the_client_time_out_and_the_next_call_works()
    {
        await using var h = await SandboxHarness.StartAsync();
        h.Server.Faults.HangNext(1, "/vem/v1/authenticate");
        using var impatient = new HttpClient { BaseAddress = h.Server.BaseUrl, Timeout = TimeSpan.FromMilliseconds(700) };
        var key = h.Seed.PointOfSale(SandboxSeed.MainTill).InstallationKey;
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.PostAsync("vem/v1/authenticate",
            new StringContent($"{{\"env\":\"PRD\",\"appId\":\"5-1-9-8-14\",\"appSecret\":\"{key}\"}}", Encoding.UTF8, "application/json")));
        Assert.False(string.IsNullOrEmpty(await h.TokenAsync()));
    }

    [Fact]
    public async Task A_debit_answer_dropped_after_commit_is_found_by_clientOrderId_and_replays_the_same()
    {
        await using var h = await SandboxHarness.StartAsync();
        h.Server.Faults.DropAfterCommitNext(1, "/api/payments/debit/*");
        await Assert.ThrowsAsync<HttpRequestException>(() => h.DebitSupportAsync("36000001", 330, "drop-1"));
        Assert.Equal(1195, await h.Server.GetBalanceAsync("1000001"));
        var tx = Assert.Single(await h.Server.GetTransactionsAsync());

        using var found = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments/byClientOrderId/drop-1"));
        Assert.Equal(tx.IdTransactionIzly, (await SandboxHarness.JsonAsync(found)).GetProperty("idTransactionIzly").GetString());
        using var replay = await h.DebitSupportAsync("36000001", 330, "drop-1");
        Assert.Equal(tx.IdTransactionIzly, (await SandboxHarness.JsonAsync(replay)).GetProperty("idTransactionIzly").GetString());
        Assert.Equal(1195, await h.Server.GetBalanceAsync("1000001"));
    }

    [Fact]
    public async Task A_ticket_answer_dropped_after_commit_is_stored_and_the_resend_gets_200()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        h.Server.Faults.DropAfterCommitNext(1, "/vem/v1/*/remontee-caisse/*", "POST");
        await Assert.ThrowsAsync<HttpRequestException>(() => h.PostTicketAsync(token, h.ValidTicket()));
        Assert.Single(await h.Server.GetTicketsAsync());
        using var resend = await h.PostTicketAsync(token, h.ValidTicket());
        Assert.Equal(HttpStatusCode.OK, resend.StatusCode);
        Assert.Single(await h.Server.GetTicketsAsync());
    }

    [Fact]
    public async Task Latency_delays_the_answer()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        h.Server.Faults.AddLatency(TimeSpan.FromMilliseconds(400), "/vem/v1/*", times: 1);
        var sw = Stopwatch.StartNew();
        using var r = await h.GetVemAsync("tva", token);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(sw.ElapsedMilliseconds >= 390, $"took {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Faults_are_switched_over_HTTP_and_never_touch_the_admin_routes()
    {
        await using var h = await SandboxHarness.StartAsync();
        using (var add = await h.Http.PostAsync("_sandbox/faults", new StringContent("{\"errorRate\":1,\"errorStatus\":500}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        }

        using (var list = await h.Http.GetAsync("_sandbox/faults"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Single((await SandboxHarness.JsonAsync(list)).EnumerateArray());
        }

        using (var failed = await h.AuthenticateAsync("5-1-9-8-14", SandboxHarness.Key(SandboxSeed.MainTill)))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        using (var bad = await h.Http.PostAsync("_sandbox/faults", new StringContent("{\"errorRate\":2}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using (var clear = await h.Http.DeleteAsync("_sandbox/faults"))
        {
            Assert.Equal(HttpStatusCode.NoContent, clear.StatusCode);
        }

        using var ok = await h.AuthenticateAsync("5-1-9-8-14", SandboxHarness.Key(SandboxSeed.MainTill));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task A_partial_error_rate_fails_some_requests_and_not_others()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var id = h.Server.Faults.FailRate(0.5, "/vem/v1/*");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 60; i++)
        {
            using var r = await h.GetVemAsync("tva", token);
            statuses.Add(r.StatusCode);
        }

        // P(all 60 equal) = 2 * 0.5^60: never in practice.
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.True(h.Server.Faults.Remove(id));
    }
}
