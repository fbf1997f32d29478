using System.Globalization;
using System.Text.Json;
using Middleware.VirtualCards.Izly;

namespace Middleware.VirtualCards.UltralightC;

/// <summary>
/// <c>izly-vcard insert --technology ultralightc …</c> personalises the card with the key file's UltralightC entry 0
/// (default the demo key, <see cref="DemoSamKeys.UltralightCMasterKeyHex"/>): reading that entry.
/// </summary>
public static class UltralightCCardCommand
{
    /// <summary>The UltralightC entry of a software SAM key file; names what is missing, never the key.</summary>
    public static string ReadMasterKeyHex(string path, int keyNumber = DemoSamKeys.UltralightCKeyNumber)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in keys.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object
                    && entry.TryGetProperty("technology", out var technology) && string.Equals(technology.GetString(), "UltralightC", StringComparison.OrdinalIgnoreCase)
                    && entry.TryGetProperty("keyNumber", out var number) && number.TryGetInt32(out var n) && n == keyNumber
                    && entry.TryGetProperty("key", out var key) && key.GetString() is { Length: 32 } hex && hex.All(char.IsAsciiHexDigit))
                {
                    return hex.ToUpperInvariant();
                }
            }
        }

        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The SAM key file '{path}' has no UltralightC key {keyNumber} of 32 hex digits."));
    }
}
