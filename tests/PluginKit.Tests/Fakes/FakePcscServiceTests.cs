using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.Plugins.Testing;
using Middleware.Plugins.Testing.Fakes;

namespace Middleware.PluginKit.Tests.Fakes;

public sealed class FakePcscServiceTests
{
    private const string Reader = "Kit Reader 00";
    private static readonly KitCard Echo = new("echo", new byte[] { 0x3B, 0x81, 0x80, 0x01, 0x80, 0x80 }, apdu => [.. apdu[..2], 0x90, 0x00]);

    [Fact]
    public async Task Counts_open_connections_and_answers_with_the_cards_script()
    {
        var pcsc = new FakePcscService();
        pcsc.AddReader(Reader);
        pcsc.Insert(Reader, Echo);

        var connection = await pcsc.ConnectAsync(Reader, SmartCardShareMode.Shared, CancellationToken.None);
        Assert.Equal(1, pcsc.OpenConnections);
        Assert.Equal(new byte[] { 0x90, 0x60, 0x90, 0x00 }, await connection.TransmitAsync(new byte[] { 0x90, 0x60, 0x00, 0x00, 0x00 }, CancellationToken.None));
        await connection.DisposeAsync();
        await connection.DisposeAsync();

        Assert.Equal(0, pcsc.OpenConnections);
        Assert.Equal(1, pcsc.Connects);
    }

    [Fact]
    public async Task A_card_pulled_mid_exchange_fails_at_once_and_shows_gone_at_the_next_presence_poll()
    {
        var pcsc = new FakePcscService();
        pcsc.AddReader(Reader);
        pcsc.Insert(Reader, Echo, KitCardFault.RemovedDuringApdu, faultAtApdu: 2);
        var connection = await pcsc.ConnectAsync(Reader, SmartCardShareMode.Shared, CancellationToken.None);
        await connection.TransmitAsync(new byte[] { 0x90, 0x60, 0x00, 0x00, 0x00 }, CancellationToken.None);

        var removed = await Assert.ThrowsAsync<SmartCardException>(() => connection.TransmitAsync(new byte[] { 0x90, 0x60, 0x00, 0x00, 0x00 }, CancellationToken.None));
        var still = await pcsc.GetStatusAsync(CancellationToken.None);
        var after = await pcsc.WaitForChangeAsync(still, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(SmartCardError.RemovedCard, removed.Error);
        Assert.True(still.Single().HasCard);
        Assert.False(after.Single().HasCard);
    }

    [Fact]
    public async Task A_mute_card_answers_nothing_until_the_token_is_cancelled()
    {
        var pcsc = new FakePcscService();
        pcsc.AddReader(Reader);
        pcsc.Insert(Reader, Echo, KitCardFault.Mute);
        await using var connection = await pcsc.ConnectAsync(Reader, SmartCardShareMode.Shared, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var pending = connection.TransmitAsync(new byte[] { 0x90, 0x60, 0x00, 0x00, 0x00 }, cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Connect_without_a_card_is_NoSmartcard()
    {
        var pcsc = new FakePcscService();
        pcsc.AddReader(Reader);

        var ex = await Assert.ThrowsAsync<SmartCardException>(() => pcsc.ConnectAsync(Reader, SmartCardShareMode.Shared, CancellationToken.None));

        Assert.Equal(SmartCardError.NoSmartcard, ex.Error);
    }
}
