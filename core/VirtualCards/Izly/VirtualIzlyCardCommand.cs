using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.VirtualCards.Calypso;
using Middleware.VirtualCards.Desfire;
using Middleware.VirtualCards.UltralightC;
using Middleware.VirtualCards.Vpcd;

namespace Middleware.VirtualCards.Izly;

/// <summary>
/// A virtual Izly card described in JSON, for the demo and for people testing their tills, e.g.
/// <c>{ "uid": "04A1B2C3D4E5F6", "idSupport": "36000000", "numeroApplicatif": "04A1B2C3D4E5F6", "crous": 5,
/// "creationDate": "2024-09-02", "readMasterKey": "00112233445566778899AABBCCDDEEFF" }</c>.
/// </summary>
public sealed record VirtualIzlyCardSpec
{
    /// <summary>The card's 7-byte UID, 14 hex digits.</summary>
    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    /// <summary>The ZDC's <c>idSupport</c>.</summary>
    [JsonPropertyName("idSupport")]
    public required string IdSupport { get; init; }

    /// <summary>The ZDC's <c>numeroApplicatif</c>.</summary>
    [JsonPropertyName("numeroApplicatif")]
    public required string NumeroApplicatif { get; init; }

    /// <summary>The issuing Crous.</summary>
    [JsonPropertyName("crous")]
    public int Crous { get; init; }

    /// <summary>The ZDC's creation date (default 2024-09-02).</summary>
    [JsonPropertyName("creationDate")]
    public DateOnly CreationDate { get; init; } = new(2024, 9, 2);

    /// <summary>The SAM's DESFire read master key (32 hex digits), diversified per card; or the card's own key
    /// when <see cref="KeysAreDiversified"/>. Default: the sandbox's public demo key (<see cref="DemoSamKeys"/>).</summary>
    [JsonPropertyName("readMasterKey")]
    public string ReadMasterKey { get; init; } = DemoSamKeys.DesfireReadMasterKeyHex;

    /// <summary>Optional key 0 master (random when absent).</summary>
    [JsonPropertyName("applicationMasterKey")]
    public string? ApplicationMasterKey { get; init; }

    /// <summary>Optional key 2 master (random when absent).</summary>
    [JsonPropertyName("writeMasterKey")]
    public string? WriteMasterKey { get; init; }

    /// <summary>True when the keys above are the card's own (already diversified) keys.</summary>
    [JsonPropertyName("keysAreDiversified")]
    public bool KeysAreDiversified { get; init; }

    /// <summary>The application id, 6 hex digits (default <c>F58540</c>).</summary>
    [JsonPropertyName("aid")]
    public string Aid { get; init; } = "F58540";

    /// <summary>True to make a DESFire card without the Izly application (a till must say "not an Izly card").</summary>
    [JsonPropertyName("withoutIzlyApplication")]
    public bool WithoutIzlyApplication { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>An example description (the card of the sandbox holder 1000001, read with the demo SAM key), for
    /// people writing their own.</summary>
    public static VirtualIzlyCardSpec Example { get; } = new()
    {
        Uid = "04A1B2C3D40001",
        IdSupport = "36000001",
        NumeroApplicatif = "04A1B2C3D40001",
        Crous = 5,
    };

    /// <summary>This description as indented JSON (the format <see cref="Parse"/> reads).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// <summary>Reads a spec from JSON.</summary>
    public static VirtualIzlyCardSpec Parse(string json) =>
        JsonSerializer.Deserialize<VirtualIzlyCardSpec>(json, JsonOptions)
        ?? throw new ArgumentException("The card description is empty.");

    /// <summary>Builds the personalised card.</summary>
    public VirtualDesfireCard CreateCard(ZdcFault fault = ZdcFault.None)
    {
        var uid = Convert.FromHexString(Uid);
        if (WithoutIzlyApplication)
        {
            return IzlyVirtualCards.WithoutIzlyApplication(uid);
        }

        var zdc = new ZdcDescription { IdSupport = IdSupport, NumeroApplicatif = NumeroApplicatif, Crous = Crous, CreationDate = CreationDate };
        var keys = new IzlyCardKeys(
            Convert.FromHexString(ReadMasterKey),
            ApplicationMasterKey is null ? null : Convert.FromHexString(ApplicationMasterKey),
            WriteMasterKey is null ? null : Convert.FromHexString(WriteMasterKey),
            KeysAreDiversified);
        var layout = new IzlyDesfireLayout { Aid = uint.Parse(Aid, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) };
        return IzlyVirtualCards.FromZdc(zdc, uid, keys, layout, fault: fault);
    }
}


/// <summary>What <c>insert</c> puts on the reader.</summary>
/// <param name="Holder">A sandbox right holder whose seeded card to make (e.g. <c>1000001</c>).</param>
/// <param name="DescriptionPath">A JSON card description (<see cref="VirtualIzlyCardSpec"/>) instead.</param>
/// <param name="KeyFile">A SAM key file (core/Cards/Sam/README.md) whose DESFire read master key personalises the card.</param>
/// <param name="Port">vpcd's port: 35963 is "Virtual PCD 00 00", 35964 "Virtual PCD 00 01".</param>
/// <param name="Seconds">How long the card stays; until cancelled (Ctrl+C) when null.</param>
/// <param name="Uid">The card's UID (14 hex digits); for a holder, default its numeroApplicatif.</param>
/// <param name="Technology">Null or <c>desfire</c> for DESFire; <c>classic1k</c> / <c>classic4k</c> for a MIFARE Classic card; <c>calypso</c> / <c>calypso-rev1</c> for the same ZDC in a Calypso record (no key).</param>
/// <param name="Fault">A fault the card shows (<c>--fault</c>).</param>
public sealed record VirtualCardInsertOptions(string? Holder, string? DescriptionPath, string? KeyFile, int Port, double? Seconds, string? Uid, string? Technology = null,
    ZdcFault Fault = ZdcFault.None);

/// <summary>
/// The personalisation command behind the <c>izly-vcard</c> tool (core/VirtualCards.Tool), for the demo and for people
/// testing their tills: builds a virtual Izly card and keeps it on a vpcd reader until cancelled (Ctrl+C) or for a given
/// time; prints a description template; writes the sandbox's demo SAM key file. See <see cref="Usage"/>.
/// </summary>
public static class VirtualIzlyCardCommand
{
    /// <summary>The command line help.</summary>
    public const string Usage = """
        Usage:
          izly-vcard insert (--holder ID | --zdc card.json) [--key-file sam-keys.json] [--vpcd-port 35963] [--seconds N] [--uid HEX]
                [--technology desfire|classic1k|classic4k|ultralightc|calypso|calypso-rev1]
                [--fault wrong-key|bad-check-byte|bad-date|removed-mid-read]
              Puts a virtual Izly DESFire card on a vpcd reader (pcscd with vsmartcard-vpcd must run) and keeps it there
              until Ctrl+C or N seconds. --holder: the sandbox right holder's seeded card (idSupport, numeroApplicatif);
              --zdc: a card description (see zdc-template). --key-file: the host's SAM key file; its DESFire key 1 is the
              master key the card is personalised with (default: the sandbox's public demo key). Port 35963 is the
              reader "Virtual PCD 00 00", 35964 "Virtual PCD 00 01". (--spec and --port are accepted too.)
              --technology ultralightc: a MIFARE Ultralight C card instead (key: the key file's UltralightC key 0).
              --technology classic1k|classic4k: a MIFARE Classic card instead (cards.md §4; the key file's Classic key 0).
              --technology calypso (or calypso-rev1): a Calypso Rev3 (Rev1) card with the same ZDC, read without a SAM.
              --fault wrong-key|bad-check-byte|bad-date|removed-mid-read: a card personalised with another master key
              (not for Calypso, which has none), a record whose check byte or BCD date is wrong, or a card that leaves
              the reader between authentication (or selection) and the read of its record.
          izly-vcard zdc-template
              Prints an example card description (JSON) to edit and pass to --zdc.
          izly-vcard demo-sam-keys FILE [--force]
              Writes the sandbox's public demo SAM key file (mode 600) for Cards:SoftwareSam:KeyFile.
        """;

    /// <summary>Runs the command; returns the process exit code (0 done, 2 bad arguments, 1 no reader or file error).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where to write messages.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C: removes the card.</param>
    /// <param name="holders">Finds a sandbox right holder's card by identifier (null when unknown); without it
    /// <c>--holder</c> is refused.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken, Func<string, ZdcDescription?>? holders = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var verb = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "insert";
        var rest = verb == "insert" && (args.Length == 0 || args[0] != "insert") ? args : args[1..];
        switch (verb)
        {
            case "insert" when rest is ["--help"]:
            case "help" or "-h":
                await output.WriteLineAsync(Usage);
                return 0;
            case "insert":
                return await InsertAsync(rest, output, holders, cancellationToken).ConfigureAwait(false);
            case "zdc-template" when rest.Length == 0:
                await output.WriteLineAsync(VirtualIzlyCardSpec.Example.ToJson());
                return 0;
            case "demo-sam-keys" when rest is [_] or [_, "--force"]:
                var path = rest[0];
                try
                {
                    DemoSamKeys.WriteKeyFile(path, overwrite: rest.Length == 2);
                }
                catch (IOException ex)
                {
                    await output.WriteLineAsync($"Cannot write '{path}': {ex.Message} (--force replaces an existing file).");
                    return 1;
                }
                catch (UnauthorizedAccessException ex)
                {
                    await output.WriteLineAsync($"Cannot write '{path}': {ex.Message}");
                    return 1;
                }

                await output.WriteLineAsync($"Demo SAM key file written to {Path.GetFullPath(path)} (mode 600, samId {DemoSamKeys.SamId}).");
                return 0;
            default:
                await output.WriteLineAsync($"Unknown or incomplete command '{string.Join(' ', args)}'.");
                await output.WriteLineAsync(Usage);
                return 2;
        }
    }

    /// <summary>Reads the options of <c>insert</c>; false with a message naming the problem.</summary>
    public static bool TryParseInsert(IReadOnlyList<string> args, out VirtualCardInsertOptions options, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? holder = null, description = null, keyFile = null, uid = null, technology = null;
        var fault = ZdcFault.None;
        var port = VpcdCardSlot.FirstReaderPort;
        double? seconds = null;
        options = new VirtualCardInsertOptions(null, null, null, port, null, null);
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            var taken = true;
            switch (args[i])
            {
                case "--holder" when !string.IsNullOrWhiteSpace(value):
                    holder = value;
                    break;
                case "--zdc" or "--spec" when !string.IsNullOrWhiteSpace(value):
                    description = value;
                    break;
                case "--key-file" when !string.IsNullOrWhiteSpace(value):
                    keyFile = value;
                    break;
                case "--uid" when value is { Length: 14 } && value.All(char.IsAsciiHexDigit):
                    uid = value.ToUpperInvariant();
                    break;
                case "--vpcd-port" or "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
                    port = p;
                    break;
                case "--technology" when value is "desfire" or "classic1k" or "classic4k" or "ultralightc" or "calypso" or "calypso-rev1":
                    technology = value;
                    break;
                case "--fault" when FaultOf(value) is { } f:
                    fault = f;
                    break;
                case "--seconds" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) && s > 0:
                    seconds = s;
                    break;
                default:
                    taken = false;
                    break;
            }

            if (!taken)
            {
                error = $"Unknown or incomplete argument '{args[i]}'" + (value is null ? "." : $" (followed by '{value}').");
                return false;
            }

            i++;
        }

        if ((holder is null) == (description is null))
        {
            error = "Give either --holder ID or --zdc card.json.";
            return false;
        }

        if (fault == ZdcFault.WrongKey && technology is "calypso" or "calypso-rev1")
        {
            error = "--fault wrong-key: a Calypso card is read without a key (cards.md §6).";
            return false;
        }

        options = new VirtualCardInsertOptions(holder, description, keyFile, port, seconds, uid, technology, fault);
        error = string.Empty;
        return true;
    }

    private static ZdcFault? FaultOf(string? value) => value switch
    {
        "wrong-key" => ZdcFault.WrongKey,
        "bad-check-byte" => ZdcFault.CorruptedCheckByte,
        "bad-date" => ZdcFault.ImpossibleDate,
        "removed-mid-read" => ZdcFault.RemovedMidRead,
        _ => null,
    };

    /// <summary>The card description <paramref name="options"/> ask for: the holder's seeded card or the JSON file, with
    /// the key file's DESFire read master key when one is given. Throws <see cref="ArgumentException"/>,
    /// <see cref="IOException"/> or <see cref="JsonException"/> naming the problem.</summary>
    public static VirtualIzlyCardSpec ResolveSpec(VirtualCardInsertOptions options, Func<string, ZdcDescription?>? holders)
    {
        ArgumentNullException.ThrowIfNull(options);
        VirtualIzlyCardSpec spec;
        if (options.Holder is { } holder)
        {
            var zdc = (holders ?? throw new ArgumentException("--holder needs the sandbox's holders (use the izly-vcard tool)."))(holder)
                ?? throw new ArgumentException($"No sandbox right holder '{holder}' with a card (the seed has 1000001 to 1000015).");
            spec = new VirtualIzlyCardSpec
            {
                Uid = options.Uid ?? zdc.NumeroApplicatif,
                IdSupport = zdc.IdSupport,
                NumeroApplicatif = zdc.NumeroApplicatif,
                Crous = zdc.Crous,
                CreationDate = zdc.CreationDate,
            };
        }
        else
        {
            spec = VirtualIzlyCardSpec.Parse(File.ReadAllText(options.DescriptionPath!));
            spec = options.Uid is { } uid ? spec with { Uid = uid } : spec;
        }

        if (options.KeyFile is { } keyFile)
        {
            if (spec.KeysAreDiversified)
            {
                throw new ArgumentException("The description holds the card's own (diversified) keys: --key-file does not apply.");
            }

            spec = spec with { ReadMasterKey = DemoSamKeys.ReadDesfireMasterKeyHex(keyFile) };
        }

        return spec;
    }

    /// <summary>The card <paramref name="options"/> ask for, of its technology and with its fault, and the description
    /// it was made from. Throws as <see cref="ResolveSpec"/> does, or <see cref="ArgumentException"/> for a key file
    /// without the technology's key.</summary>
    public static (VirtualIzlyCardSpec Spec, IVirtualCard Card) BuildCard(VirtualCardInsertOptions options, Func<string, ZdcDescription?>? holders)
    {
        ArgumentNullException.ThrowIfNull(options);
        var size = Classic.ClassicCardSpec.SizeOf(options.Technology);
        var desfire = options.Technology is null or "desfire";

        // The key file names each technology's key; ResolveSpec reads the DESFire one only.
        var spec = ResolveSpec(options with { KeyFile = desfire ? options.KeyFile : null }, holders);
        var zdc = new ZdcDescription { IdSupport = spec.IdSupport, NumeroApplicatif = spec.NumeroApplicatif, Crous = spec.Crous, CreationDate = spec.CreationDate };
        IVirtualCard card = options.Technology switch
        {
            _ when size is { } classic => Classic.ClassicCardSpec.Create(spec, classic, options.KeyFile, options.Fault),
            "ultralightc" => IzlyUltralightCCards.FromZdc(zdc, Convert.FromHexString(spec.Uid),
                Convert.FromHexString(options.KeyFile is { } keyFile ? UltralightCCardCommand.ReadMasterKeyHex(keyFile) : DemoSamKeys.UltralightCMasterKeyHex),
                UltralightCFaultOf(options.Fault)),
            "calypso" or "calypso-rev1" => IzlyVirtualCards.Calypso(
                zdc, options.Technology == "calypso-rev1" ? CalypsoCardRevision.Rev1 : CalypsoCardRevision.Rev3, CalypsoFaultOf(options.Fault)),
            _ => spec.CreateCard(options.Fault),
        };
        return (spec, card);
    }

    private static UltralightCFault UltralightCFaultOf(ZdcFault fault) => fault switch
    {
        ZdcFault.WrongKey => UltralightCFault.WrongKey,
        ZdcFault.CorruptedCheckByte => UltralightCFault.CorruptedCheckByte,
        ZdcFault.ImpossibleDate => UltralightCFault.ImpossibleDate,
        ZdcFault.RemovedMidRead => UltralightCFault.RemovedMidRead,
        _ => UltralightCFault.None,
    };

    private static CalypsoCardFault CalypsoFaultOf(ZdcFault fault) => fault switch
    {
        ZdcFault.CorruptedCheckByte => CalypsoCardFault.CorruptedCheckByte,
        ZdcFault.ImpossibleDate => CalypsoCardFault.ImpossibleDate,
        ZdcFault.RemovedMidRead => CalypsoCardFault.RemovedMidRead,
        _ => CalypsoCardFault.None,
    };

    /// <summary>The vpcd reader name of a port (pcsc-lite names the readers of vsmartcard-vpcd "Virtual PCD 00 nn").</summary>
    public static string ReaderNameOf(int port) => port switch
    {
        VpcdCardSlot.FirstReaderPort => "Virtual PCD 00 00",
        VpcdCardSlot.SecondReaderPort => "Virtual PCD 00 01",
        _ => $"the vpcd reader on port {port}",
    };

    private static async Task<int> InsertAsync(string[] args, TextWriter output, Func<string, ZdcDescription?>? holders, CancellationToken cancellationToken)
    {
        if (!TryParseInsert(args, out var options, out var error))
        {
            await output.WriteLineAsync(error);
            await output.WriteLineAsync(Usage);
            return 2;
        }

        VirtualIzlyCardSpec spec;
        IVirtualCard card;
        try
        {
            (spec, card) = BuildCard(options, holders);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"Invalid card description{(options.DescriptionPath is { } p ? $" '{p}'" : string.Empty)}: {ex.Message}");
            return 2;
        }

        VpcdCardSlot slot;
        try
        {
            slot = await VpcdCardSlot.InsertAsync(card, options.Port, connectTimeout: TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await output.WriteLineAsync(ex.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 1;
        }

        await using (slot)
        {
            // The line the demo script waits for: keep "inserted" in it.
            await output.WriteLineAsync(
                $"Virtual Izly card inserted on {ReaderNameOf(options.Port)} (vpcd port {options.Port}): idSupport {spec.IdSupport}, " +
                $"numeroApplicatif {spec.NumeroApplicatif}, {(options.Technology is "calypso" or "calypso-rev1" ? options.Technology : (options.Technology ?? "desfire") + " UID " + spec.Uid.ToUpperInvariant())}" +
                (options.Fault == ZdcFault.None ? ". " : $", fault {options.Fault}. ") +
                (options.Seconds is { } s ? $"It stays {s.ToString(CultureInfo.InvariantCulture)} s; " : string.Empty) + "Ctrl+C removes it.");
            await output.FlushAsync(CancellationToken.None);
            try
            {
                var wait = options.Seconds is { } seconds ? Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken);
                await Task.WhenAny(wait, slot.Removed).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: remove the card below.
            }

            await slot.RemoveAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"Card removed after {slot.ApduCount} APDUs.");
        }

        return 0;
    }
}
