using System.Security.Cryptography;
using System.Text.Json;
using Middleware.Contracts.Readers;
using Middleware.Shared.Files;

namespace Middleware.Cards.Sam;

/// <summary>One master key held by the software SAM. The key bytes live in a pinned array, wiped on disposal.</summary>
internal sealed class SamKeyEntry : IDisposable
{
    public SamKeyEntry(SamKeyReference reference, byte[] key, bool exportable)
    {
        Reference = reference;
        Key = key;
        Exportable = exportable;
    }

    public SamKeyReference Reference { get; }

    public byte[] Key { get; }

    public bool Exportable { get; }

    public void Dispose() => CryptographicOperations.ZeroMemory(Key);

    public override string ToString() => $"{Reference}{(Exportable ? " (exportable)" : string.Empty)}";
}

/// <summary>
/// The software SAM's key file: JSON, readable only by the service account.
/// <code>
/// {
///   "samId": "5357534D00000001",          // 1..32 characters, reported as CardIdentity.SamId
///   "systemIdentifier": "CROUS",          // optional, ASCII, appended to every diversification input (default CROUS)
///   "keys": [
///     { "technology": "Desfire", "keyNumber": 1, "key": "00112233445566778899AABBCCDDEEFF" },
///     { "technology": "Classic", "keyNumber": 0, "key": "...32 hex...", "exportable": true },
///     { "technology": "UltralightC", "keyNumber": 0, "key": "...32 hex..." }
///   ]
/// }
/// </code>
/// Every key is an AES-128 AN10922 master key (32 hex digits). Key bytes are decoded straight from the file's bytes
/// into pinned arrays (no managed strings), and the file buffer is wiped after parsing.
/// </summary>
internal sealed class SamKeyFile : IDisposable
{
    public const string DefaultSystemIdentifier = "CROUS";

    private SamKeyFile(string samId, byte[] systemIdentifier, IReadOnlyList<SamKeyEntry> keys)
    {
        SamId = samId;
        SystemIdentifier = systemIdentifier;
        Keys = keys;
    }

    public string SamId { get; }

    public byte[] SystemIdentifier { get; }

    public IReadOnlyList<SamKeyEntry> Keys { get; }

    public SamKeyEntry? Find(SamKeyReference reference)
    {
        foreach (var entry in Keys)
        {
            if (entry.Reference == reference)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Loads and checks the file; throws <see cref="SamException"/> (<see cref="SamError.Unavailable"/>) with a
    /// message naming the problem (never a key).</summary>
    public static SamKeyFile Load(string path)
    {
        if (SecretFileRule.Problem(path) is { } problem)
        {
            throw new SamException(SamError.Unavailable, $"The SAM key file '{path}' {problem}");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SamException(SamError.Unavailable, $"The SAM key file '{path}' cannot be read: {ex.Message}", ex);
        }

        try
        {
            return Parse(bytes);
        }
        catch (JsonException ex)
        {
            // JsonException messages quote positions, never values.
            throw new SamException(SamError.Unavailable, $"The SAM key file '{path}' is not valid JSON (line {ex.LineNumber + 1}).");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Parses the file's UTF-8 bytes (the caller wipes them). Throws <see cref="SamException"/>, or
    /// <see cref="JsonException"/> for text that is not JSON (<see cref="Load"/> turns it into a SamException).</summary>
    public static SamKeyFile Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        string? samId = null;
        byte[]? systemIdentifier = null;
        var keys = new List<SamKeyEntry>();
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, "the file is a JSON object");
            while (Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("samId"u8) || reader.ValueTextEquals("SamId"u8))
                {
                    Expect(ref reader, JsonTokenType.String, "samId is a string");
                    samId = reader.GetString();
                }
                else if (reader.ValueTextEquals("systemIdentifier"u8))
                {
                    Expect(ref reader, JsonTokenType.String, "systemIdentifier is a string");
                    systemIdentifier = System.Text.Encoding.ASCII.GetBytes(reader.GetString() ?? string.Empty);
                }
                else if (reader.ValueTextEquals("keys"u8))
                {
                    Expect(ref reader, JsonTokenType.StartArray, "keys is an array");
                    while (Read(ref reader) && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var entry = ReadEntry(ref reader, keys.Count);
                        if (keys.Exists(k => k.Reference == entry.Reference))
                        {
                            entry.Dispose();
                            throw new SamException(SamError.Unavailable, $"The SAM key file has two entries for {entry.Reference}.");
                        }

                        keys.Add(entry);
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (string.IsNullOrWhiteSpace(samId) || samId.Length > 32)
            {
                throw new SamException(SamError.Unavailable, "The SAM key file needs a samId of 1 to 32 characters.");
            }

            if (systemIdentifier is { Length: 0 or > 20 })
            {
                throw new SamException(SamError.Unavailable, "The SAM key file's systemIdentifier is 1 to 20 ASCII characters.");
            }

            return new SamKeyFile(samId, systemIdentifier ?? System.Text.Encoding.ASCII.GetBytes(DefaultSystemIdentifier), keys);
        }
        catch (InvalidOperationException ex)
        {
            // A string that is not text (an escaped lone surrogate such as \ud800): the reader refuses to decode it.
            foreach (var k in keys)
            {
                k.Dispose();
            }

            throw new SamException(SamError.Unavailable, "The SAM key file holds a string that is not valid text.", ex);
        }
        catch
        {
            foreach (var k in keys)
            {
                k.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        foreach (var k in Keys)
        {
            k.Dispose();
        }
    }

    private static SamKeyEntry ReadEntry(ref Utf8JsonReader reader, int index)
    {
        SamTechnology? technology = null;
        int? number = null;
        byte[]? key = null;
        var exportable = false;
        try
        {
            while (Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("technology"u8))
                {
                    Expect(ref reader, JsonTokenType.String, $"keys[{index}].technology is a string");
                    technology = Enum.TryParse<SamTechnology>(reader.GetString(), ignoreCase: true, out var t) && Enum.IsDefined(t)
                        ? t
                        : throw new SamException(SamError.Unavailable, $"keys[{index}].technology must be Desfire, Classic or UltralightC.");
                }
                else if (reader.ValueTextEquals("keyNumber"u8))
                {
                    Read(ref reader);
                    number = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) && n is >= 0 and <= 255
                        ? n
                        : throw new SamException(SamError.Unavailable, $"keys[{index}].keyNumber is a number from 0 to 255.");
                }
                else if (reader.ValueTextEquals("key"u8))
                {
                    Expect(ref reader, JsonTokenType.String, $"keys[{index}].key is a string");
                    key = DecodeKey(reader.ValueSpan, index);
                }
                else if (reader.ValueTextEquals("exportable"u8))
                {
                    Read(ref reader);
                    exportable = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => throw new SamException(SamError.Unavailable, $"keys[{index}].exportable is true or false."),
                    };
                }
                else
                {
                    reader.Skip();
                }
            }

            if (technology is null || number is null || key is null)
            {
                throw new SamException(SamError.Unavailable, $"keys[{index}] needs technology, keyNumber and key.");
            }

            var entry = new SamKeyEntry(new SamKeyReference(technology.Value, (byte)number.Value), key, exportable);
            key = null;
            return entry;
        }
        finally
        {
            if (key is not null)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    private static byte[] DecodeKey(ReadOnlySpan<byte> hex, int index)
    {
        if (hex.Length != 32)
        {
            throw new SamException(SamError.Unavailable, $"keys[{index}].key is 32 hexadecimal digits (an AES-128 master key).");
        }

        var key = GC.AllocateArray<byte>(16, pinned: true);
        for (var i = 0; i < 16; i++)
        {
            var hi = HexValue(hex[2 * i]);
            var lo = HexValue(hex[2 * i + 1]);
            if (hi < 0 || lo < 0)
            {
                CryptographicOperations.ZeroMemory(key);
                throw new SamException(SamError.Unavailable, $"keys[{index}].key is 32 hexadecimal digits (an AES-128 master key).");
            }

            key[i] = (byte)((hi << 4) | lo);
        }

        return key;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool Read(ref Utf8JsonReader reader) =>
        reader.Read() ? true : throw new SamException(SamError.Unavailable, "The SAM key file ends too early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        Read(ref reader);
        if (reader.TokenType != type)
        {
            throw new SamException(SamError.Unavailable, $"The SAM key file is malformed: {what}.");
        }
    }
}
