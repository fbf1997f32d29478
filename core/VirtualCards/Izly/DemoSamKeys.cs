using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Middleware.VirtualCards.Izly;

/// <summary>
/// The sandbox's public demo SAM: the DESFire read master key of cards.md §2 (the project's published test vector,
/// <c>00112233445566778899AABBCCDDEEFF</c>) and a fixed SAM id. Virtual cards personalised with it are read by a host
/// whose software SAM loads <see cref="KeyFileJson"/>. Public values: for the sandbox, demos and tests only.
/// </summary>
public static class DemoSamKeys
{
    /// <summary>The demo SAM's identifier, reported with every read.</summary>
    public const string SamId = "5357534D00000001";

    /// <summary>The DESFire read master key (SAM entry Desfire/1), 32 hex digits.</summary>
    public const string DesfireReadMasterKeyHex = "00112233445566778899AABBCCDDEEFF";

    /// <summary>The SAM key-file entry number of the DESFire read master key (plugin setting <c>samKeyNumber</c>).</summary>
    public const int DesfireReadKeyNumber = 1;

    /// <summary>The Ultralight C master key (SAM entry UltralightC/0, cards.md §2 and §5), 32 hex digits.</summary>
    public const string UltralightCMasterKeyHex = "F0E0D0C0B0A090807060504030201000";

    /// <summary>The SAM key-file entry number of the Ultralight C master key (plugin setting <c>samKeyNumber</c>).</summary>
    public const int UltralightCKeyNumber = 0;

    /// <summary>The DESFire read master key as bytes (a fresh copy).</summary>
    public static byte[] DesfireReadMasterKey => Convert.FromHexString(DesfireReadMasterKeyHex);

    /// <summary>The software SAM key file (core/Cards/Sam/README.md format) holding the demo keys.</summary>
    public static string KeyFileJson(string samId = SamId, string desfireReadMasterKeyHex = DesfireReadMasterKeyHex) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "samId": "{{samId}}",
              "systemIdentifier": "CROUS",
              "keys": [
                { "technology": "Desfire", "keyNumber": {{DesfireReadKeyNumber}}, "key": "{{desfireReadMasterKeyHex}}" },
                { "technology": "UltralightC", "keyNumber": {{UltralightCKeyNumber}}, "key": "{{UltralightCMasterKeyHex}}" }
              ]
            }

            """);

    /// <summary>
    /// Writes <see cref="KeyFileJson"/> to <paramref name="path"/> readable and writable by its owner only (mode 600 on
    /// Unix, from creation: the key is never readable by others, not even for an instant). Refuses to replace an
    /// existing file unless <paramref name="overwrite"/>.
    /// </summary>
    public static void WriteKeyFile(string path, bool overwrite = false, string samId = SamId, string desfireReadMasterKeyHex = DesfireReadMasterKeyHex)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = overwrite ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(KeyFileJson(samId, desfireReadMasterKeyHex)));
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only when the file is created: an overwritten file keeps its old mode otherwise.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>
    /// The DESFire master key of entry <paramref name="keyNumber"/> in a software SAM key file (core/Cards/Sam/README.md
    /// format), to personalise cards that this SAM reads. Throws <see cref="ArgumentException"/> naming what is missing
    /// (never the key).
    /// </summary>
    public static string ReadDesfireMasterKeyHex(string path, int keyNumber = DesfireReadKeyNumber)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new ArgumentException($"The SAM key file '{path}' has no \"keys\" array.");
        }

        foreach (var entry in keys.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object
                && entry.TryGetProperty("technology", out var technology) && string.Equals(technology.GetString(), "Desfire", StringComparison.OrdinalIgnoreCase)
                && entry.TryGetProperty("keyNumber", out var number) && number.TryGetInt32(out var n) && n == keyNumber
                && entry.TryGetProperty("key", out var key) && key.GetString() is { Length: 32 } hex && hex.All(char.IsAsciiHexDigit))
            {
                return hex.ToUpperInvariant();
            }
        }

        throw new ArgumentException($"The SAM key file '{path}' has no DESFire key {keyNumber} of 32 hex digits.");
    }
}
