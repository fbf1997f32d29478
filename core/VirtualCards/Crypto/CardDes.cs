namespace Middleware.VirtualCards.Crypto;

/// <summary>
/// DES (FIPS 46-3) written out for the virtual card. .NET's DES and TripleDES refuse "weak" keys, and a DESFire
/// card's factory key is all zeros, and single DES is 3DES with K1 = K2: both must work on the card side.
/// Bit-level and slow on purpose: readable and checked against .NET's DES in the tests.
/// </summary>
internal sealed class CardDes
{
    private static readonly byte[] Ip =
    [
        58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
        62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
        57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
        61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
    ];

    private static readonly byte[] Fp = InvertPermutation(Ip);

    private static readonly byte[] E =
    [
        32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
        16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
    ];

    private static readonly byte[] P =
    [
        16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
        2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
    ];

    private static readonly byte[] Pc1 =
    [
        57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
        10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
        63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
        14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
    ];

    private static readonly byte[] Pc2 =
    [
        14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
    ];

    private static readonly byte[] Shifts = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

    private static readonly byte[][] S =
    [
        [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
         4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
        [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
         0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
        [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
         13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
        [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
         10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
        [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
         4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
        [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
         9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
        [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
         1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
        [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
         7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
    ];

    private readonly ulong[] _subkeys = new ulong[16];

    /// <summary>Creates a DES cipher for an 8-byte key (parity bits ignored, as DESFire stores key versions there).</summary>
    public CardDes(ReadOnlySpan<byte> key)
    {
        if (key.Length != 8)
        {
            throw new ArgumentException("A DES key has 8 bytes.", nameof(key));
        }

        var cd = Permute(ToUInt64(key), Pc1, 64);
        var c = (uint)(cd >> 28) & 0x0FFFFFFF;
        var d = (uint)cd & 0x0FFFFFFF;
        for (var round = 0; round < 16; round++)
        {
            c = Rotate28(c, Shifts[round]);
            d = Rotate28(d, Shifts[round]);
            _subkeys[round] = Permute(((ulong)c << 28) | d, Pc2, 56);
        }
    }

    public void EncryptBlock(ReadOnlySpan<byte> input, Span<byte> output) => Crypt(input, output, decrypt: false);

    public void DecryptBlock(ReadOnlySpan<byte> input, Span<byte> output) => Crypt(input, output, decrypt: true);

    private void Crypt(ReadOnlySpan<byte> input, Span<byte> output, bool decrypt)
    {
        var block = Permute(ToUInt64(input), Ip, 64);
        var left = (uint)(block >> 32);
        var right = (uint)block;
        for (var round = 0; round < 16; round++)
        {
            var subkey = _subkeys[decrypt ? 15 - round : round];
            var next = left ^ F(right, subkey);
            left = right;
            right = next;
        }

        var result = Permute(((ulong)right << 32) | left, Fp, 64);
        for (var i = 0; i < 8; i++)
        {
            output[i] = (byte)(result >> (56 - (8 * i)));
        }
    }

    private static uint F(uint right, ulong subkey)
    {
        var expanded = Permute(right, E, 32) ^ subkey;
        uint sboxed = 0;
        for (var box = 0; box < 8; box++)
        {
            var six = (int)(expanded >> (42 - (6 * box))) & 0x3F;
            var row = ((six & 0x20) >> 4) | (six & 1);
            var column = (six >> 1) & 0x0F;
            sboxed = (sboxed << 4) | S[box][(row * 16) + column];
        }

        return (uint)Permute(sboxed, P, 32);
    }

    // Table entries are 1-based bit positions counted from the most significant bit of an inputBits-wide value.
    private static ulong Permute(ulong value, byte[] table, int inputBits)
    {
        ulong result = 0;
        foreach (var position in table)
        {
            result = (result << 1) | ((value >> (inputBits - position)) & 1);
        }

        return result;
    }

    private static uint Rotate28(uint value, int count) => ((value << count) | (value >> (28 - count))) & 0x0FFFFFFF;

    private static ulong ToUInt64(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (var i = 0; i < 8; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    private static byte[] InvertPermutation(byte[] table)
    {
        var inverse = new byte[table.Length];
        for (var i = 0; i < table.Length; i++)
        {
            inverse[table[i] - 1] = (byte)(i + 1);
        }

        return inverse;
    }
}
