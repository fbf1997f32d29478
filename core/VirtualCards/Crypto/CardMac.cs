namespace Middleware.VirtualCards.Crypto;

/// <summary>The card's CMAC (NIST SP 800-38B; Rb 0x87 for 16-byte blocks, 0x1B for 8-byte blocks), CRCs and
/// the legacy 4-byte MAC.</summary>
internal static class CardMac
{
    /// <summary>CMAC over <paramref name="message"/>, CBC from <paramref name="iv"/>; returns the full last block.</summary>
    public static byte[] Cmac(CardCipher cipher, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> message)
    {
        var size = cipher.BlockSize;
        var (k1, k2) = Subkeys(cipher);
        var complete = message.Length > 0 && message.Length % size == 0;
        var padded = new byte[complete ? message.Length : ((message.Length / size) + 1) * size];
        message.CopyTo(padded);
        if (!complete)
        {
            padded[message.Length] = 0x80;
        }

        var subkey = complete ? k1 : k2;
        for (var i = 0; i < size; i++)
        {
            padded[padded.Length - size + i] ^= subkey[i];
        }

        Span<byte> chain = stackalloc byte[size];
        iv[..size].CopyTo(chain);
        var encrypted = cipher.EncryptCbc(padded, chain);
        return encrypted[^size..];
    }

    public static (byte[] K1, byte[] K2) Subkeys(CardCipher cipher)
    {
        var size = cipher.BlockSize;
        var rb = size == 16 ? (byte)0x87 : (byte)0x1B;
        var l = new byte[size];
        cipher.EncryptBlock(new byte[size], l);
        var k1 = ShiftLeft(l, rb);
        var k2 = ShiftLeft(k1, rb);
        return (k1, k2);
    }

    /// <summary>The legacy (D40) MAC: DES/3DES CBC from a zero IV over the zero-padded data, first 4 bytes.</summary>
    public static byte[] LegacyMac(CardCipher cipher, ReadOnlySpan<byte> data)
    {
        var size = cipher.BlockSize;
        var padded = new byte[Math.Max(size, ((data.Length + size - 1) / size) * size)];
        data.CopyTo(padded);
        Span<byte> iv = stackalloc byte[size];
        iv.Clear();
        var encrypted = cipher.EncryptCbc(padded, iv);
        return encrypted[^size..][..4];
    }

    /// <summary>DESFire CRC32: reflected polynomial 0xEDB88320, preset 0xFFFFFFFF, no final inversion, little-endian.</summary>
    public static byte[] Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return [(byte)crc, (byte)(crc >> 8), (byte)(crc >> 16), (byte)(crc >> 24)];
    }

    /// <summary>ISO/IEC 14443-A CRC16 (legacy DESFire): reflected 0x8408, preset 0x6363, little-endian.</summary>
    public static byte[] Crc16(ReadOnlySpan<byte> data)
    {
        var crc = 0x6363;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x8408 : crc >> 1;
            }
        }

        return [(byte)crc, (byte)(crc >> 8)];
    }

    /// <summary>CRC-8/SMBUS (poly 0x07, init 0, no reflection, no final xor): the ZDC check byte.</summary>
    public static byte Crc8Smbus(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x07) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    private static byte[] ShiftLeft(byte[] value, byte rb)
    {
        var result = new byte[value.Length];
        var carry = 0;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            result[i] = (byte)((value[i] << 1) | carry);
            carry = value[i] >> 7;
        }

        if ((value[0] & 0x80) != 0)
        {
            result[^1] ^= rb;
        }

        return result;
    }
}
