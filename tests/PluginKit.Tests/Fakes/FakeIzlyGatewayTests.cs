using System.Diagnostics;
using Middleware.Contracts.Channels;
using Middleware.Plugins.Testing.Fakes;

namespace Middleware.PluginKit.Tests.Fakes;

public sealed class FakeIzlyGatewayTests
{
    [Fact]
    public async Task Hang_waits_for_the_token_and_no_longer()
    {
        var gateway = new FakeIzlyGateway { Behaviour = FakeGatewayBehaviour.Hang };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gateway.FindByQrCodeAsync("5-1-9-8-14", "AIZ;x", cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(1, gateway.Calls);
    }

    [Fact]
    public async Task Refuse_and_unavailable_throw_the_contracts_exceptions()
    {
        var gateway = new FakeIzlyGateway { Behaviour = FakeGatewayBehaviour.Refuse };
        var refused = await Assert.ThrowsAsync<IzlyRefusedException>(() => gateway.FindBySupportAsync("p", "36000001", "0123456789ABCD", CancellationToken.None));
        gateway.Behaviour = FakeGatewayBehaviour.Unavailable;

        await Assert.ThrowsAsync<IzlyUnavailableException>(() => gateway.DebitAsync(new DebitRequest("p", "o", 1m, new WebMedium(null)), CancellationToken.None));
        Assert.Equal(IzlyRefusal.UnknownHolder, refused.Refusal);
    }

    [Fact]
    public async Task Answer_debits_the_holders_balance()
    {
        var gateway = new FakeIzlyGateway();

        var debit = await gateway.DebitAsync(new DebitRequest("p", "order-7", 3.30m, new WebMedium(null)), CancellationToken.None);

        Assert.Equal(IzlyOperationStatus.Completed, debit.Status);
        Assert.Equal(gateway.Holder.Balance - 3.30m, debit.BalanceAfter);
        Assert.Equal("KIT-order-7", debit.IdTransactionIzly);
    }
}
