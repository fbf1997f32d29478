using Middleware.Plugins.Tetra.Link;

namespace Middleware.Tetra.Tests.Link;

public sealed class ConcertFrameTests
{
    [Fact]
    public void A_frame_is_stx_message_etx_and_the_xor_of_message_and_etx()
    {
        var frame = ConcertFrame.Build("AB", 256);

        // 'A' 0x41 ^ 'B' 0x42 ^ ETX 0x03 = 0x00
        Assert.Equal(new byte[] { 0x02, 0x41, 0x42, 0x03, 0x00 }, frame);
    }

    [Fact]
    public void The_lrc_of_the_documented_request_is_computed_byte_by_byte()
    {
        var frame = ConcertFrame.Build("ZDC?01030", 256);
        byte expected = 0;
        foreach (var c in "ZDC?01030\u0003")
        {
            expected ^= (byte)c;
        }

        Assert.Equal(expected, frame[^1]);
        Assert.Equal(0x02, frame[0]);
        Assert.Equal(0x03, frame[^2]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("A\u0003B")]
    [InlineData("caf\u00e9")]
    public void Messages_are_one_or_more_printable_ascii_characters(string message) =>
        Assert.Throws<ArgumentException>(() => ConcertFrame.Build(message, 256));

    [Fact]
    public void A_message_longer_than_the_limit_is_refused() =>
        Assert.Throws<ArgumentException>(() => ConcertFrame.Build(new string('A', 11), 10));
}
