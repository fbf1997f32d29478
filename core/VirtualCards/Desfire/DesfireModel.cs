using Middleware.VirtualCards.Crypto;

namespace Middleware.VirtualCards.Desfire;

/// <summary>A key stored on the virtual card.</summary>
/// <param name="Type">Its type.</param>
/// <param name="Value">8 or 16 bytes (DES, 2K3DES), 24 (3K3DES), 16 (AES).</param>
/// <param name="Version">The key version (AES keys; DES keys carry theirs in the parity bits).</param>
public sealed record DesfireKey(DesfireKeyType Type, byte[] Value, byte Version = 0)
{
    /// <summary>The factory key of a DESFire card: DES, all zeros.</summary>
    public static DesfireKey FactoryDefault => new(DesfireKeyType.Des, new byte[16]);

    /// <summary>An AES key.</summary>
    public static DesfireKey Aes(byte[] value, byte version = 0) => new(DesfireKeyType.Aes, value, version);

    internal bool IsSingleDes =>
        Type == DesfireKeyType.Des || (Type == DesfireKeyType.TwoKey3Des && Value.Length == 16 && SameIgnoringParity(Value.AsSpan(0, 8), Value.AsSpan(8, 8)));

    internal static bool SameIgnoringParity(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if ((a[i] & 0xFE) != (b[i] & 0xFE))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>How a file's data travels once authenticated.</summary>
public enum DesfireCommMode : byte
{
    /// <summary>Plain (with a CMAC on answers in an EV1 session).</summary>
    Plain = 0x00,

    /// <summary>MACed.</summary>
    Mac = 0x01,

    /// <summary>Fully enciphered.</summary>
    Enciphered = 0x03,
}

/// <summary>DESFire access rights: a key number 0–13, <see cref="Free"/> or <see cref="Never"/> for each right.</summary>
/// <param name="Read">Read access key.</param>
/// <param name="Write">Write access key.</param>
/// <param name="ReadWrite">Read-and-write access key.</param>
/// <param name="Change">Change-settings access key.</param>
public readonly record struct DesfireAccessRights(byte Read, byte Write, byte ReadWrite, byte Change)
{
    /// <summary>Access without authentication.</summary>
    public const byte Free = 0x0E;

    /// <summary>No access.</summary>
    public const byte Never = 0x0F;

    /// <summary>The 16-bit value (read in bits 15–12, write 11–8, read-write 7–4, change 3–0).</summary>
    public ushort Value => (ushort)((Read << 12) | (Write << 8) | (ReadWrite << 4) | Change);

    /// <summary>Parses the 16-bit value.</summary>
    public static DesfireAccessRights FromValue(ushort value) =>
        new((byte)(value >> 12), (byte)((value >> 8) & 0x0F), (byte)((value >> 4) & 0x0F), (byte)(value & 0x0F));
}

/// <summary>A standard data file of the virtual card.</summary>
public sealed class DesfireStandardFile
{
    /// <summary>Creates a file of <paramref name="size"/> zero bytes.</summary>
    public DesfireStandardFile(byte fileNo, DesfireCommMode commMode, DesfireAccessRights access, int size)
    {
        if (fileNo > 0x1F)
        {
            throw new ArgumentOutOfRangeException(nameof(fileNo), "File numbers go from 0 to 31.");
        }

        FileNo = fileNo;
        CommMode = commMode;
        Access = access;
        Data = new byte[size];
    }

    /// <summary>The file number.</summary>
    public byte FileNo { get; }

    /// <summary>Its communication mode.</summary>
    public DesfireCommMode CommMode { get; }

    /// <summary>Its access rights.</summary>
    public DesfireAccessRights Access { get; }

    /// <summary>Its content (the array is the card's memory: writes through <c>WriteData</c> land here).</summary>
    public byte[] Data { get; }
}

/// <summary>An application of the virtual card.</summary>
public sealed class DesfireApplication
{
    /// <summary>Creates an application with <paramref name="keys"/> (all of the same type) and default settings 0x0F.</summary>
    public DesfireApplication(uint aid, IReadOnlyList<DesfireKey> keys, byte keySettings = 0x0F)
    {
        if (aid is 0 or > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(aid), "An AID is a non-zero 24-bit number.");
        }

        if (keys.Count is < 1 or > 14 || keys.Any(k => KeyFamily(k.Type) != KeyFamily(keys[0].Type)))
        {
            throw new ArgumentException("An application has 1 to 14 keys of one family (DES/2K3DES, 3K3DES or AES).", nameof(keys));
        }

        Aid = aid;
        Keys = [.. keys];
        KeySettings = keySettings;
    }

    /// <summary>The application identifier (written LSB first on the wire).</summary>
    public uint Aid { get; }

    /// <summary>Its keys, by number.</summary>
    public List<DesfireKey> Keys { get; }

    /// <summary>Key settings (bit 0 master key changeable, bit 1 free listing, bit 2 free create/delete,
    /// bit 3 configuration changeable, high nibble ChangeKey access).</summary>
    public byte KeySettings { get; internal set; }

    /// <summary>Its files, by number.</summary>
    public SortedDictionary<byte, DesfireStandardFile> Files { get; } = [];

    /// <summary>Adds a file (fluent).</summary>
    public DesfireApplication WithFile(DesfireStandardFile file)
    {
        Files.Add(file.FileNo, file);
        return this;
    }

    internal byte CryptoBits => KeyFamily(Keys[0].Type) switch
    {
        DesfireKeyType.ThreeKey3Des => 0x40,
        DesfireKeyType.Aes => 0x80,
        _ => 0x00,
    };

    internal static DesfireKeyType KeyFamily(DesfireKeyType type) => type == DesfireKeyType.TwoKey3Des ? DesfireKeyType.Des : type;
}

/// <summary>Native DESFire status codes (the SW2 of <c>91 xx</c>).</summary>
internal static class DesfireStatus
{
    public const byte Ok = 0x00;
    public const byte NoChanges = 0x0C;
    public const byte OutOfMemory = 0x0E;
    public const byte IllegalCommand = 0x1C;
    public const byte IntegrityError = 0x1E;
    public const byte NoSuchKey = 0x40;
    public const byte LengthError = 0x7E;
    public const byte PermissionDenied = 0x9D;
    public const byte ParameterError = 0x9E;
    public const byte ApplicationNotFound = 0xA0;
    public const byte AuthenticationError = 0xAE;
    public const byte AdditionalFrame = 0xAF;
    public const byte BoundaryError = 0xBE;
    public const byte CommandAborted = 0xCA;
    public const byte DuplicateError = 0xDE;
    public const byte FileNotFound = 0xF0;
}
