using System.Net;
using System.Text;

namespace Middleware.Sandbox.Tests.Faults;

/// <summary>The errorAfterCommit fault: the change is made, the client sees only an error (a gateway failing on the way back).</summary>
public sealed class ErrorAfterCommitTests
{
    [Theory]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(502)]
    public async Task A_debit_is_made_and_answered_the_injected_status_once(int status)
    {
        await using var h = await SandboxHarness.StartAsync();
        h.Server.Faults.FailAfterCommitNext(1, "/api/payments/debit/*", status, "POST");

        using var failed = await h.DebitSupportAsync("36000001", 330, "after-1");
        Assert.Equal((HttpStatusCode)status, failed.StatusCode);
        Assert.Equal("-99", (await SandboxHarness.ErrorAsync(failed)).Code);
        var tx = Assert.Single(await h.Server.GetTransactionsAsync());
        Assert.Equal(("after-1", 330L), (tx.ClientOrderId, tx.AmountCents));
        Assert.Equal(1195, await h.Server.GetBalanceAsync("1000001"));

        // Once: the repeat (same clientOrderId) gets the real answer of the debit already made, and debits nothing more.
        using var again = await h.DebitSupportAsync("36000001", 330, "after-1");
        Assert.True(again.IsSuccessStatusCode, again.StatusCode.ToString());
        Assert.Single(await h.Server.GetTransactionsAsync());
        Assert.Empty(h.Server.Faults.Active);
    }

    [Fact]
    public async Task ErrorAfterCommit_is_switched_over_HTTP()
    {
        await using var h = await SandboxHarness.StartAsync();
        using (var add = await h.Http.PostAsync("_sandbox/faults", new StringContent(
            "{\"path\":\"/api/payments/debit/*\",\"errorAfterCommit\":true,\"errorStatus\":502,\"times\":1}", Encoding.UTF8, "application/json")))
        {
            Assert.True(add.IsSuccessStatusCode, add.StatusCode.ToString());
        }

        using var failed = await h.DebitSupportAsync("36000001", 330, "after-http");
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Single(await h.Server.GetTransactionsAsync());
    }
}
