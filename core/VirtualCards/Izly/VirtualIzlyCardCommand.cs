using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.VirtualCards.Desfire;
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
    /// when <see cref="KeysAreDiversified"/>.</summary>
    [JsonPropertyName("readMasterKey")]
    public required string ReadMasterKey { get; init; }

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

    /// <summary>Reads a spec from JSON.</summary>
    public static VirtualIzlyCardSpec Parse(string json) =>
        JsonSerializer.Deserialize<VirtualIzlyCardSpec>(json, JsonOptions)
        ?? throw new ArgumentException("The card description is empty.");

    /// <summary>Builds the personalised card.</summary>
    public VirtualDesfireCard CreateCard()
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
        return IzlyVirtualCards.FromZdc(zdc, uid, keys, layout);
    }
}

/// <summary>
/// The personalisation command: builds a virtual card from a JSON description and keeps it on a vpcd reader until
/// cancelled (Ctrl+C) or for a given time. Usage:
/// <c>virtual-card --spec card.json [--port 35963] [--seconds N]</c> (port 35964 is "Virtual PCD 00 01").
/// </summary>
public static class VirtualIzlyCardCommand
{
    /// <summary>Runs the command; returns the process exit code (0 done, 2 bad arguments, 1 no reader).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string? specPath = null;
        var port = VpcdCardSlot.FirstReaderPort;
        double? seconds = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--spec" when value is not null:
                    specPath = value;
                    i++;
                    break;
                case "--port" when int.TryParse(value, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
                    port = p;
                    i++;
                    break;
                case "--seconds" when double.TryParse(value, CultureInfo.InvariantCulture, out var s) && s > 0:
                    seconds = s;
                    i++;
                    break;
                default:
                    await output.WriteLineAsync($"Unknown or incomplete argument '{args[i]}'. Usage: virtual-card --spec card.json [--port 35963] [--seconds N]");
                    return 2;
            }
        }

        if (specPath is null)
        {
            await output.WriteLineAsync("Usage: virtual-card --spec card.json [--port 35963] [--seconds N]");
            return 2;
        }

        VirtualDesfireCard card;
        try
        {
            card = VirtualIzlyCardSpec.Parse(await File.ReadAllTextAsync(specPath, cancellationToken)).CreateCard();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or IOException)
        {
            await output.WriteLineAsync($"Invalid card description '{specPath}': {ex.Message}");
            return 2;
        }

        VpcdCardSlot slot;
        try
        {
            slot = await VpcdCardSlot.InsertAsync(card, port, cancellationToken: cancellationToken);
        }
        catch (IOException ex)
        {
            await output.WriteLineAsync(ex.Message);
            return 1;
        }

        await using (slot)
        {
            await output.WriteLineAsync($"Virtual DESFire card {Convert.ToHexString(card.Uid.Span)} inserted on vpcd port {port}; cancel to remove it.");
            try
            {
                var wait = seconds is { } s ? Task.Delay(TimeSpan.FromSeconds(s), cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken);
                await Task.WhenAny(wait, slot.Removed);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: remove the card below.
            }

            await output.WriteLineAsync($"Card removed after {slot.ApduCount} APDUs.");
        }

        return 0;
    }
}
