using System.Net;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Izly;

public sealed class RightHolderAndDebitTests
{
    [Fact]
    public async Task SearchSupport_returns_the_holder_with_balance_in_cents_and_statuses()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var r = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/rightholders/searchSupport?idSupport=36000001&numeroApplicatif=04A1B2C3D40001"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var holder = await SandboxHarness.JsonAsync(r);
        Assert.Equal("1000001", holder.GetProperty("identifier").GetString());
        Assert.Equal(1525, holder.GetProperty("balance").GetInt64());
        Assert.Equal(10, holder.GetProperty("idCompanyRate").GetInt32());
        Assert.Equal("ACTIF", holder.GetProperty("accountStatus").GetString());
        Assert.Equal("NON_BLOQUE", holder.GetProperty("blockingStatus").GetString());

        // Every public status is seeded and visible through search.
        var seen = new HashSet<string>();
        foreach (var rh in h.Seed.RightHolders.Where(x => !x.Anonymised && !x.Cards[0].Invalidated))
        {
            using var s = await h.Http.SendAsync(h.Izly(HttpMethod.Get, $"api/rightholders/searchSupport?idSupport={rh.Cards[0].IdSupport}"));
            Assert.Equal(HttpStatusCode.OK, s.StatusCode);
            var j = await SandboxHarness.JsonAsync(s);
            seen.Add(j.GetProperty("accountStatus").GetString()!);
            seen.Add(j.GetProperty("blockingStatus").GetString()!);
        }

        Assert.Superset(new HashSet<string>
        {
            "NON_CONFIRME", "ACTIF", "CLOTURE", "CLOTURE_EN_COURS",
            "NON_BLOQUE", "BLOCAGE_PAR_3_MOTS_DE_PASSE_ERRONNES", "MIS_EN_OPPOSITION", "COMPTE_GELE",
        }, seen);
    }

    [Fact]
    public async Task SearchSupport_unknown_wrong_application_number_invalidated_anonymised_and_bad_key()
    {
        await using var h = await SandboxHarness.StartAsync();
        async Task<(HttpStatusCode, string)> Search(string query, string? key = null)
        {
            using var r = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/rightholders/searchSupport?" + query, key: key));
            return (r.StatusCode, r.StatusCode == HttpStatusCode.OK ? "" : (await SandboxHarness.ErrorAsync(r)).Code);
        }

        Assert.Equal((HttpStatusCode.NotFound, "-42"), await Search("idSupport=99999999"));
        Assert.Equal((HttpStatusCode.NotFound, "-42"), await Search("idSupport=36000001&numeroApplicatif=FFFFFFFFFFFFFF"));
        Assert.Equal(((HttpStatusCode)422, "-9"), await Search("idSupport=36000012"));
        Assert.Equal(((HttpStatusCode)422, "-117"), await Search("idSupport=36000013"));
        Assert.Equal((HttpStatusCode.Unauthorized, "-3"), await Search("idSupport=36000001", key: "wrong"));
    }

    [Fact]
    public async Task Debit_takes_the_amount_and_is_idempotent_by_clientOrderId()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var first = await h.DebitSupportAsync("36000001", 330, "order-1");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var op = await SandboxHarness.JsonAsync(first);
        Assert.Equal(1, op.GetProperty("status").GetInt32());
        Assert.Equal(1195, op.GetProperty("balanceAfter").GetInt64());
        var id = op.GetProperty("idTransactionIzly").GetString();
        Assert.Equal(1195, await h.Server.GetBalanceAsync("1000001"));

        using var replay = await h.DebitSupportAsync("36000001", 330, "order-1");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(id, (await SandboxHarness.JsonAsync(replay)).GetProperty("idTransactionIzly").GetString());
        Assert.Equal(1195, await h.Server.GetBalanceAsync("1000001"));

        using var byOrder = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments/byClientOrderId/order-1"));
        Assert.Equal(HttpStatusCode.OK, byOrder.StatusCode);
        Assert.Equal(id, (await SandboxHarness.JsonAsync(byOrder)).GetProperty("idTransactionIzly").GetString());
        using var unknown = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments/byClientOrderId/order-2"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // Another till does not see this till's orders.
        using var other = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments/byClientOrderId/order-1", pos: SandboxSeed.SecondTill));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        var tx = Assert.Single(await h.Server.GetTransactionsAsync());
        Assert.Equal(330, tx.AmountCents);
        Assert.Equal("support", tx.Means);
    }

    [Fact]
    public async Task Insufficient_balance_is_50_and_leaves_the_balance()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var r = await h.DebitSupportAsync("36000003", 51, "o");
        Assert.Equal((HttpStatusCode)422, r.StatusCode);
        Assert.Equal("-50", (await SandboxHarness.ErrorAsync(r)).Code);
        Assert.Equal(50, await h.Server.GetBalanceAsync("1000003"));
        Assert.Empty(await h.Server.GetTransactionsAsync());
        // A top-up, then the same order goes through.
        await h.Server.SetBalanceAsync("1000003", 500);
        using var ok = await h.DebitSupportAsync("36000003", 51, "o");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(449, await h.Server.GetBalanceAsync("1000003"));
    }

    [Theory]
    [InlineData("36000004", 422, "-43")] // NON_CONFIRME
    [InlineData("36000005", 422, "-43")] // CLOTURE
    [InlineData("36000006", 422, "-43")] // CLOTURE_EN_COURS
    [InlineData("36000007", 423, "-44")] // three wrong passwords
    [InlineData("36000008", 422, "-41")] // opposition
    [InlineData("36000009", 423, "-44")] // frozen
    [InlineData("36000010", 422, "-8")] // due date past
    [InlineData("36000012", 422, "-9")] // card invalidated
    [InlineData("36000013", 422, "-117")] // anonymised
    [InlineData("99999999", 404, "-42")] // unknown card
    public async Task Debit_is_refused_per_account_and_blocking_status(string idSupport, int status, string code)
    {
        await using var h = await SandboxHarness.StartAsync();
        using var r = await h.DebitSupportAsync(idSupport, 100, "o-" + idSupport);
        Assert.Equal((HttpStatusCode)status, r.StatusCode);
        Assert.Equal(code, (await SandboxHarness.ErrorAsync(r)).Code);
        Assert.Empty(await h.Server.GetTransactionsAsync());
    }

    [Fact]
    public async Task Bad_debit_requests_are_400()
    {
        await using var h = await SandboxHarness.StartAsync();
        using (var zero = await h.DebitSupportAsync("36000001", 0, "o"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        }

        using (var noOrder = await h.DebitSupportAsync("36000001", 10, ""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noOrder.StatusCode);
        }

        using var wrongPos = h.Izly(HttpMethod.Post, "api/payments/debit/support/36000001", new { amount = 10, clientOrderId = "x", pointOfSale = "5-1-9-8-15" });
        using var r = await h.Http.SendAsync(wrongPos);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(1525, await h.Server.GetBalanceAsync("1000001"));
    }

    [Fact]
    public async Task Cancel_the_same_day_refunds_once_and_another_day_is_refused()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var d = await h.DebitSupportAsync("36000001", 500, "c-1");
        var id = (await SandboxHarness.JsonAsync(d)).GetProperty("idTransactionIzly").GetString();
        using (var c = await h.Http.SendAsync(h.Izly(HttpMethod.Post, $"api/payments/{id}/cancel")))
        {
            Assert.Equal(HttpStatusCode.OK, c.StatusCode);
            Assert.Equal(5, (await SandboxHarness.JsonAsync(c)).GetProperty("status").GetInt32());
        }

        Assert.Equal(1525, await h.Server.GetBalanceAsync("1000001"));
        using (var again = await h.Http.SendAsync(h.Izly(HttpMethod.Post, $"api/payments/{id}/cancel")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(1525, await h.Server.GetBalanceAsync("1000001"));
        using (var status = await h.Http.SendAsync(h.Izly(HttpMethod.Get, "api/payments/byClientOrderId/c-1")))
        {
            Assert.Equal(5, (await SandboxHarness.JsonAsync(status)).GetProperty("status").GetInt32());
        }

        using var d2 = await h.DebitSupportAsync("36000001", 200, "c-2");
        var id2 = (await SandboxHarness.JsonAsync(d2)).GetProperty("idTransactionIzly").GetString();
        h.Time.Advance(TimeSpan.FromDays(1));
        using var late = await h.Http.SendAsync(h.Izly(HttpMethod.Post, $"api/payments/{id2}/cancel"));
        Assert.Equal((HttpStatusCode)422, late.StatusCode);
        Assert.Equal("-63", (await SandboxHarness.ErrorAsync(late)).Code);
        Assert.Equal(1325, await h.Server.GetBalanceAsync("1000001"));
        using var unknown = await h.Http.SendAsync(h.Izly(HttpMethod.Post, "api/payments/123/cancel"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
