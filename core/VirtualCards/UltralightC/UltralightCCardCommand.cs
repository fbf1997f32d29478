using System.Globalization;
using System.Text.Json;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;

namespace Middleware.VirtualCards.UltralightC;

/// <summary>
/// <c>izly-vcard insert --technology ultralightc …</c>: the same options as the DESFire card (holder or description,
/// UID, key file, port, seconds), but a virtual Ultralight C personalised with the key file's UltralightC entry 0 (default
/// the demo key, <see cref="DemoSamKeys.UltralightCMasterKeyHex"/>).
/// </summary>
public static class UltralightCCardCommand
{
    /// <summary>Removes <c>--technology ultralightc</c> from <paramref name="args"/>; true when it was there.</summary>
    public static bool TakeOption(ref string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var i = Array.IndexOf(args, "--technology");
        if (i < 0 || i + 1 >= args.Length || !string.Equals(args[i + 1], "ultralightc", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        args = [.. args[..i], .. args[(i + 2)..]];
        return true;
    }

    /// <summary>Runs <c>insert</c> (the arguments after it) for an Ultralight C; exit codes as the DESFire command's.</summary>
    public static async Task<int> InsertAsync(string[] args, TextWriter output, Func<string, ZdcDescription?>? holders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!VirtualIzlyCardCommand.TryParseInsert(args, out var options, out var error))
        {
            await output.WriteLineAsync(error).ConfigureAwait(false);
            await output.WriteLineAsync(VirtualIzlyCardCommand.Usage).ConfigureAwait(false);
            return 2;
        }

        VirtualIzlyCardSpec spec;
        VirtualUltralightCCard card;
        try
        {
            spec = VirtualIzlyCardCommand.ResolveSpec(options with { KeyFile = null }, holders);
            var master = options.KeyFile is { } keyFile ? ReadMasterKeyHex(keyFile) : DemoSamKeys.UltralightCMasterKeyHex;
            var zdc = new ZdcDescription { IdSupport = spec.IdSupport, NumeroApplicatif = spec.NumeroApplicatif, Crous = spec.Crous, CreationDate = spec.CreationDate };
            card = IzlyUltralightCCards.FromZdc(zdc, Convert.FromHexString(spec.Uid), Convert.FromHexString(master));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"Invalid card description: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            await using var slot = await VpcdCardSlot.InsertAsync(card, options.Port, connectTimeout: TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(
                $"Virtual Izly Ultralight C card inserted on {VirtualIzlyCardCommand.ReaderNameOf(options.Port)} (vpcd port {options.Port}): " +
                $"idSupport {spec.IdSupport}, numeroApplicatif {spec.NumeroApplicatif}, UID {spec.Uid}. Ctrl+C removes it.").ConfigureAwait(false);
            var stay = options.Seconds is { } s ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan;
            await Task.WhenAny(slot.Removed, Task.Delay(stay, cancellationToken)).ConfigureAwait(false);
            await output.WriteLineAsync("Card removed.").ConfigureAwait(false);
            return 0;
        }
        catch (IOException ex)
        {
            await output.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("Card removed.").ConfigureAwait(false);
            return 0;
        }
    }

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
