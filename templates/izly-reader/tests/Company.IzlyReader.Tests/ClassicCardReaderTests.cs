using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Zdc;
using Xunit;

namespace Company.IzlyReader.Tests;

/// <summary>The read sequence of cards.md §4 against a card that answers like a Classic card.</summary>
public sealed class ClassicCardReaderTests
{
    [Fact]
    public async Task A1KCardIsReadFromBlocks4And5AfterLoadingAndAuthenticatingKeyA()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);
        card.WriteZdc(4, SampleZdc.Bytes);

        var record = await ClassicCardReader.ReadZdcAsync(card, ClassicLayout.Classic1K, SampleZdc.Key, CancellationToken.None);

        Assert.Equal(SampleZdc.Record, record);
        Assert.Equal(
            ["FF82000006A0A1A2A3A4A5", "FF860000050100046000", "FFB0000410", "FFB0000510"],
            card.Commands.Select(Convert.ToHexString));
    }

    [Fact]
    public async Task A4KCardIsReadFromBlocks128And129()
    {
        var card = new FakeClassicCard(is4K: true, SampleZdc.Key);
        card.WriteZdc(128, SampleZdc.Bytes);

        var record = await ClassicCardReader.ReadZdcAsync(card, ClassicLayout.Classic4K, SampleZdc.Key, CancellationToken.None);

        Assert.Equal("36000000", record.IdSupport);
        Assert.Equal(["FFB0008010", "FFB0008110"], card.Commands.Skip(2).Select(Convert.ToHexString));
    }

    [Fact]
    public async Task AWrongKeyIsAnAuthenticationFailure()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);
        card.WriteZdc(4, SampleZdc.Bytes);

        var ex = await Assert.ThrowsAsync<CardReadException>(() =>
            ClassicCardReader.ReadZdcAsync(card, ClassicLayout.Classic1K, new byte[6], CancellationToken.None));

        Assert.Equal(CardReadError.AuthenticationFailed, ex.Error);
        Assert.Equal(2, card.Commands.Count);
    }

    [Fact]
    public async Task ABrokenCheckByteIsRefusedNamingTheField()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);
        var bytes = SampleZdc.Bytes;
        bytes[28] ^= 0x01;
        card.WriteZdc(4, bytes);

        var ex = await Assert.ThrowsAsync<ZdcFormatException>(() =>
            ClassicCardReader.ReadZdcAsync(card, ClassicLayout.Classic1K, SampleZdc.Key, CancellationToken.None));

        Assert.Equal("checkByte", ex.Field);
    }

    [Fact]
    public async Task BytesAfterTheRecordMustBeZero()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);
        card.WriteZdc(4, SampleZdc.Bytes);
        var second = new byte[16];
        SampleZdc.Bytes.AsSpan(16).CopyTo(second);
        second[15] = 0xFF;
        card.WriteBlock(5, second);

        var ex = await Assert.ThrowsAsync<ZdcFormatException>(() =>
            ClassicCardReader.ReadZdcAsync(card, ClassicLayout.Classic1K, SampleZdc.Key, CancellationToken.None));

        Assert.Equal("padding", ex.Field);
    }

    [Fact]
    public async Task AnEmptySectorIsNotAZdc()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);

        var ex = await Assert.ThrowsAsync<ZdcFormatException>(() =>
            ClassicCardReader.ReadZdcAsync(card, ClassicLayout.Classic1K, SampleZdc.Key, CancellationToken.None));

        Assert.Equal("version", ex.Field);
    }
}
