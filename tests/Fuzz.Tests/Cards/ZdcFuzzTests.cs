using Middleware.Plugins.Sdk.Zdc;
using Xunit.Abstractions;

namespace Middleware.Fuzz.Tests.Cards;

/// <summary>The ZDC record parser (cards.md §1) on random and mutated records: ZdcFormatException or a record that
/// writes back to the same 29 bytes.</summary>
public sealed class ZdcFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 200_000;

    [Fact]
    public void Random_and_mutated_records_parse_or_throw_ZdcFormatException_and_what_parses_writes_back_the_same()
    {
        var seed = FuzzSettings.Seed;
        var parsed = 0;
        var refused = ParserFuzz.Run(Inputs, seed, Generate, bytes =>
        {
            var record = ZdcCodec.Parse(bytes);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(ZdcCodec.Write(record)));
            parsed++;
        }, ex => ex is ZdcFormatException, Convert.ToHexString);

        output.WriteLine($"ZDC: seed {seed}, {Inputs} inputs, {parsed} parsed, {refused} refused");
        // Both outcomes must be reached, or the generator is not exercising the parser.
        Assert.InRange(parsed, Inputs / 20, Inputs);
        Assert.InRange(refused, Inputs / 20, Inputs);
    }

    [Fact]
    public void Records_with_random_fields_write_or_throw_ZdcFormatException()
    {
        var seed = FuzzSettings.Seed;
        var written = 0;
        ParserFuzz.Run(50_000, seed, random => new ZdcRecord(
                (byte)(random.Next(3) == 0 ? random.Next(256) : 1), (byte)random.Next(256), (byte)random.Next(256), (ushort)random.Next(65536), (ushort)random.Next(65536),
                (byte)random.Next(256), (ushort)random.Next(65536), (ulong)random.NextInt64() >> random.Next(64),
                random.Next(6) switch { 0 => null!, 1 => "", 2 => "0123456789ABCDEF", 3 => "ZZZZZZZZZZZZZZ", 4 => "0a1b2c3d4e5f6a", _ => Convert.ToHexString(ParserFuzz.RandomBytes(random, 7)) },
                random.Next(2) == 0 ? DateOnly.FromDayNumber(random.Next(DateOnly.MaxValue.DayNumber)) : new DateOnly(2000, 1, 1).AddDays(random.Next(36_600))),
            record =>
            {
                var bytes = ZdcCodec.Write(record);
                Assert.Equal(record with { NumeroApplicatif = record.NumeroApplicatif.ToUpperInvariant() }, ZdcCodec.Parse(bytes));
                written++;
            },
            ex => ex is ZdcFormatException, r => $"{r.Version} {r.IdZdc} '{r.NumeroApplicatif}' {r.CreationDate:O}");
        output.WriteLine($"ZDC write: seed {seed}, {written} of 50000 written");
        Assert.True(written > 1000, "the generator must reach valid records");
    }

    private static byte[] Generate(Random random)
    {
        if (random.Next(4) == 0)
        {
            // Random bytes, mostly of the right length so that the checks past the length are reached.
            var bytes = new byte[random.Next(3) == 0 ? random.Next(64) : ZdcCodec.Length];
            random.NextBytes(bytes);
            if (bytes.Length == ZdcCodec.Length && random.Next(2) == 0)
            {
                bytes[0] = ZdcCodec.CurrentVersion;
                bytes[28] = Crc8(bytes.AsSpan(0, 28));
            }

            return bytes;
        }

        var valid = ZdcCodec.Write(new ZdcRecord(1, 0xD1, 0x03, (ushort)random.Next(65536), 65, (byte)random.Next(256), (ushort)random.Next(1, 40),
            (ulong)random.NextInt64(0, (long)ZdcCodec.MaxIdZdc + 1), Convert.ToHexString(RandomRid(random)),
            new DateOnly(random.Next(2000, 2100), random.Next(1, 13), random.Next(1, 29))));
        if (random.Next(5) == 0)
        {
            return valid;
        }

        var mutated = ParserFuzz.Mutate(random, valid);
        if (mutated.Length == ZdcCodec.Length && random.Next(3) != 0)
        {
            // A right check byte, so that the field checks behind it (idZdc, the BCD date) get the mutation.
            mutated[28] = Crc8(mutated.AsSpan(0, 28));
        }

        return mutated;
    }

    private static byte[] RandomRid(Random random)
    {
        var rid = new byte[7];
        random.NextBytes(rid);
        return rid;
    }

    // CRC-8/SMBUS, as cards.md §1 defines the check byte (written here again so the test does not trust the code under test).
    private static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x07) : (byte)(crc << 1);
            }
        }

        return crc;
    }
}
