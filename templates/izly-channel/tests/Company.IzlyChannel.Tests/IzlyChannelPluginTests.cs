using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;
using Xunit;

namespace Company.IzlyChannel.Tests;

/// <summary>The channel as the host drives it: started with the host's gateway, identify then debit.</summary>
public sealed class IzlyChannelPluginTests
{
    private readonly FakeIzlyGateway _gateway = new();
    private readonly IzlyChannelPlugin _plugin = new();

    [Fact]
    public async Task AnIzlyQrCodeFindsItsHolderThenIsDebited()
    {
        await _plugin.StartAsync(new TestPluginContext(_gateway), CancellationToken.None);

        var holder = await _plugin.IdentifyAsync("5-1-9-8-14", new QrMedium(FakeIzlyGateway.KnownQr), CancellationToken.None);
        var debit = await _plugin.DebitAsync(new DebitRequest("5-1-9-8-14", "order-1", 3.30m, new QrMedium(FakeIzlyGateway.KnownQr)), CancellationToken.None);

        Assert.Equal("1000001", holder.Identifier);
        Assert.Equal(IzlyOperationStatus.Completed, debit.Status);
        Assert.Equal(11.95m, debit.BalanceAfter);
        Assert.Equal(["FindByQrCode 5-1-9-8-14", "Debit 5-1-9-8-14 order-1 3.30"], _gateway.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4006381333931")]
    [InlineData("AIZ;not-a-guid;1764150000;3;aG1hYw==;c2lnbmF0dXJl")]
    [InlineData("AIZ;5d0e9a14-7c3b-4b7e-8f2a-6a1d2c3b4e02;1764150000;3;;")]
    public async Task WhatCannotBeAnIzlyCodeIsRefusedWithoutAskingIzly(string scanned)
    {
        await _plugin.StartAsync(new TestPluginContext(_gateway), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<IzlyRefusedException>(() => _plugin.IdentifyAsync("5-1-9-8-14", new QrMedium(scanned), CancellationToken.None));

        Assert.Equal(IzlyRefusal.QrInvalid, ex.Refusal);
        Assert.Empty(_gateway.Calls);
    }

    [Fact]
    public async Task AnotherMediumIsNotThisChannels()
    {
        await _plugin.StartAsync(new TestPluginContext(_gateway), CancellationToken.None);
        var card = new CardMedium(new CardIdentity("36000000", "04A1B2C3D4E5F6", CardTechnology.Classic1K, "reader", null, false));

        await Assert.ThrowsAsync<ArgumentException>(() => _plugin.DebitAsync(new DebitRequest("5-1-9-8-14", "order-2", 1m, card), CancellationToken.None));
        Assert.Empty(_gateway.Calls);
    }

    [Fact]
    public async Task AHostWithoutIzlyGatewayCannotStartIt()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _plugin.StartAsync(new TestPluginContext(null), CancellationToken.None));

        Assert.Contains("gateway", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterStopItHoldsNothingOfTheHost()
    {
        await _plugin.StartAsync(new TestPluginContext(_gateway), CancellationToken.None);
        await _plugin.StopAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _plugin.IdentifyAsync("5-1-9-8-14", new QrMedium(FakeIzlyGateway.KnownQr), CancellationToken.None));
    }
}
