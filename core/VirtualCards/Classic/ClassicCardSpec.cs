using System.Text.Json;
using Middleware.VirtualCards.Izly;

namespace Middleware.VirtualCards.Classic;

/// <summary>Builds the Classic card <c>izly-vcard --technology classic1k|classic4k</c> inserts from a card description.</summary>
public static class ClassicCardSpec
{
    /// <summary>The size named by an <c>izly-vcard --technology</c> value, or null for another technology.</summary>
    public static ClassicCardSize? SizeOf(string? technology) => technology switch
    {
        "classic1k" => ClassicCardSize.Classic1K,
        "classic4k" => ClassicCardSize.Classic4K,
        _ => null,
    };

    /// <summary>The Classic card of <paramref name="spec"/> (its UID, ZDC fields), key A diversified from the Classic
    /// master key of <paramref name="keyFile"/> (entry Classic/0) or else the demo SAM's.</summary>
    public static VirtualClassicCard Create(VirtualIzlyCardSpec spec, ClassicCardSize size, string? keyFile, ZdcFault fault = ZdcFault.None)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var zdc = new ZdcDescription { IdSupport = spec.IdSupport, NumeroApplicatif = spec.NumeroApplicatif, Crous = spec.Crous, CreationDate = spec.CreationDate };
        var master = keyFile is null ? DemoSamKeys.ClassicMasterKeyHex : ReadMasterKeyHex(keyFile);
        var faults = new ClassicCardFaults(
            WrongKey: fault == ZdcFault.WrongKey,
            CorruptCheckByte: fault == ZdcFault.CorruptedCheckByte,
            ImpossibleDate: fault == ZdcFault.ImpossibleDate,
            LeavesDuringRead: fault == ZdcFault.RemovedMidRead);
        return IzlyClassicCards.FromZdc(zdc, Convert.FromHexString(spec.Uid), Convert.FromHexString(master), size, faults);
    }

    /// <summary>The Classic master key of entry <paramref name="keyNumber"/> in a software SAM key file; throws
    /// <see cref="ArgumentException"/> naming what is missing (never the key).</summary>
    public static string ReadMasterKeyHex(string path, int keyNumber = DemoSamKeys.ClassicKeyNumber)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in keys.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object
                    && entry.TryGetProperty("technology", out var technology) && string.Equals(technology.GetString(), "Classic", StringComparison.OrdinalIgnoreCase)
                    && entry.TryGetProperty("keyNumber", out var number) && number.TryGetInt32(out var n) && n == keyNumber
                    && entry.TryGetProperty("key", out var key) && key.GetString() is { Length: 32 } hex && hex.All(char.IsAsciiHexDigit))
                {
                    return hex.ToUpperInvariant();
                }
            }
        }

        throw new ArgumentException($"The SAM key file '{path}' has no Classic key {keyNumber} of 32 hex digits.");
    }
}
