using Middleware.Cards.Crypto;
using Middleware.Plugins.Sdk.Zdc;
using Xunit;

namespace Middleware.Cards.Tests.Zdc;

public sealed class ZdcCodecTests
{
    // cards.md §1 example.
    internal const string ExampleHex = "01D103000000410100050000000002255100" + "04A1B2C3D4E5F6" + "240902" + "89";

    internal static readonly ZdcRecord Example = new(1, 0xD1, 0x03, 0x0000, 65, 1, 5, 36_000_000, "04A1B2C3D4E5F6", new DateOnly(2024, 9, 2));

    [Fact]
    public void Example_parses_to_its_fields()
    {
        var record = ZdcCodec.Parse(Convert.FromHexString(ExampleHex));
        Assert.Equal(Example, record);
        Assert.Equal("36000000", record.IdSupport);
        Assert.Equal(0xD1, record.Appl);
        Assert.Equal(65, record.IdTransmitter);
        Assert.Equal(5, record.IdCrous);
        Assert.Equal(new DateOnly(2024, 9, 2), record.CreationDate);
        Assert.DoesNotContain("36000000", record.ToString());
    }

    [Fact]
    public void Writer_produces_the_example_bytes() =>
        Assert.Equal(ExampleHex, Convert.ToHexString(ZdcCodec.Write(Example)));

    [Fact]
    public void Check_byte_is_crc8_smbus_of_the_first_28_bytes()
    {
        var bytes = Convert.FromHexString(ExampleHex);
        Assert.Equal(bytes[28], ZdcCodec.Crc8(bytes.AsSpan(0, 28)));
    }

    [Fact]
    public void Largest_id_round_trips_and_larger_is_refused()
    {
        var max = Example with { IdZdc = ZdcCodec.MaxIdZdc };
        Assert.Equal("999999999999999", ZdcCodec.Parse(ZdcCodec.Write(max)).IdSupport);

        var bytes = Convert.FromHexString(ExampleHex);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(10), ZdcCodec.MaxIdZdc + 1);
        FixCheck(bytes);
        Assert.Equal("idZdc", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Parse(bytes)).Field);
        Assert.Equal("idZdc", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Write(Example with { IdZdc = ZdcCodec.MaxIdZdc + 1 })).Field);
    }

    [Theory]
    [InlineData(28)]
    [InlineData(30)]
    [InlineData(0)]
    [InlineData(32)]
    public void Wrong_length_is_refused(int length)
    {
        var bytes = new byte[length];
        Convert.FromHexString(ExampleHex).AsSpan(0, Math.Min(length, 29)).CopyTo(bytes);
        var ex = Assert.Throws<ZdcFormatException>(() => ZdcCodec.Parse(bytes));
        Assert.Equal("length", ex.Field);
        Assert.Contains("length", ex.Message);
    }

    [Fact]
    public void Unknown_version_is_refused()
    {
        var bytes = Convert.FromHexString(ExampleHex);
        bytes[0] = 0x02;
        FixCheck(bytes);
        Assert.Equal("version", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Parse(bytes)).Field);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(20)]
    [InlineData(28)]
    public void Any_corrupted_byte_fails_the_check(int index)
    {
        var bytes = Convert.FromHexString(ExampleHex);
        bytes[index] ^= 0x01;
        Assert.Equal("checkByte", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Parse(bytes)).Field);
    }

    [Theory]
    [InlineData("241302")] // month 13
    [InlineData("240230")] // 30 February
    [InlineData("230229")] // 29 February of a common year
    [InlineData("240900")] // day 0
    [InlineData("2A0902")] // not BCD
    [InlineData("24090F")] // not BCD
    public void Invalid_dates_are_refused(string bcd)
    {
        var bytes = Convert.FromHexString(ExampleHex);
        Convert.FromHexString(bcd).CopyTo(bytes, 25);
        FixCheck(bytes);
        Assert.Equal("zdcCreationDate", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Parse(bytes)).Field);
    }

    [Fact]
    public void Leap_day_is_a_real_date()
    {
        var bytes = Convert.FromHexString(ExampleHex);
        Convert.FromHexString("240229").CopyTo(bytes, 25);
        FixCheck(bytes);
        Assert.Equal(new DateOnly(2024, 2, 29), ZdcCodec.Parse(bytes).CreationDate);
    }

    [Theory]
    [InlineData("04A1B2C3D4E5F")]
    [InlineData("04A1B2C3D4E5F6A")]
    [InlineData("04A1B2C3D4E5GG")]
    public void Writer_refuses_bad_application_numbers(string rid) =>
        Assert.Equal("numeroApplicatif", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Write(Example with { NumeroApplicatif = rid })).Field);

    [Fact]
    public void Writer_refuses_years_outside_2000_2099_and_unknown_versions()
    {
        Assert.Equal("zdcCreationDate", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Write(Example with { CreationDate = new DateOnly(2100, 1, 1) })).Field);
        Assert.Equal("version", Assert.Throws<ZdcFormatException>(() => ZdcCodec.Write(Example with { Version = 2 })).Field);
    }

    private static void FixCheck(byte[] bytes) => bytes[28] = ZdcCodec.Crc8(bytes.AsSpan(0, 28));
}
