using Middleware.VirtualCards;

namespace Middleware.Plugins.Testing;

/// <summary>
/// A card the kit presents to the plugin: its ATR and a script of its answers, so a vendor can describe their own card
/// without hardware. The same card works on the fake PC/SC service and, through vsmartcard-vpcd, on the real one.
/// </summary>
public sealed class KitCard
{
    /// <summary>Creates a scripted card.</summary>
    /// <param name="name">A name for the report.</param>
    /// <param name="atr">The ATR (for a contactless card, the reader's PC/SC pseudo-ATR).</param>
    /// <param name="respond">Answers one command APDU with the response APDU (data and status word). Called on one
    /// thread at a time.</param>
    /// <param name="expectedIdSupport">The card number the plugin must read from it; null for a card that must not be read.</param>
    /// <param name="powerOn">Called when the card enters the field (each tap): reset the card's session state here.</param>
    public KitCard(string name, ReadOnlyMemory<byte> atr, Func<byte[], byte[]> respond, string? expectedIdSupport = null, Action? powerOn = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(respond);
        Name = name;
        Atr = atr.ToArray();
        Respond = respond;
        ExpectedIdSupport = expectedIdSupport;
        PowerOn = powerOn ?? (() => { });
    }

    /// <summary>A MIFARE Classic 1K (PC/SC Part 3 pseudo-ATR) that answers every APDU with <c>6A 81</c>: the default card a
    /// plugin for another technology must not claim.</summary>
    public static KitCard Foreign { get; } = new(
        "MIFARE Classic 1K",
        Convert.FromHexString("3B8F8001804F0CA000000306030001000000006A"),
        _ => [0x6A, 0x81]);

    /// <summary>The name shown in the report.</summary>
    public string Name { get; }

    /// <summary>The ATR.</summary>
    public ReadOnlyMemory<byte> Atr { get; }

    /// <summary>The card's answer to one command APDU.</summary>
    public Func<byte[], byte[]> Respond { get; }

    /// <summary>The card number the plugin must read; null for a card that must not be read.</summary>
    public string? ExpectedIdSupport { get; }

    /// <summary>Called when the card enters the field.</summary>
    public Action PowerOn { get; }

    /// <summary>A card built on one of the middleware's virtual cards (e.g. <c>IzlyVirtualCards.FromZdc</c>).</summary>
    /// <param name="name">A name for the report.</param>
    /// <param name="card">The virtual card.</param>
    /// <param name="expectedIdSupport">The card number it carries.</param>
    public static KitCard FromVirtualCard(string name, IVirtualCard card, string? expectedIdSupport)
    {
        ArgumentNullException.ThrowIfNull(card);
        return new KitCard(name, card.Atr, apdu => card.Transmit(apdu), expectedIdSupport, card.PowerOn);
    }

    /// <summary>The same ATR, answering every APDU with one byte: a card (or a reader) that answers garbage.</summary>
    internal KitCard Garbage(Action? onApdu = null) => new(Name + " answering 1 byte", Atr, _ =>
    {
        onApdu?.Invoke();
        return [0x90];
    });

    /// <inheritdoc />
    public override string ToString() => $"{Name} (ATR {Convert.ToHexString(Atr.Span)})";
}
