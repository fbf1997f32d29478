namespace Middleware.Contracts.Readers;

/// <summary>
/// A plugin that reads the Izly ZDC of one card technology on PC/SC readers (DESFire, Classic, Ultralight C, Calypso).
/// </summary>
/// <remarks>
/// <para>The host watches the readers (presence, removal, the PC/SC service going and coming back, debounce), connects
/// once to each card presented, asks every active card plugin to <see cref="Claim"/> it, and hands the card to the
/// claim of highest priority, so two plugins never talk to one card. The host then reports the tap, the failure or
/// the removal to the tills; the plugin only reads.</para>
/// <para>Contract: <see cref="Claim"/> is cheap (no I/O, no waiting) and never throws for a card it does not know: it
/// returns <c>null</c>. <see cref="ReadAsync"/> honours its token (the host cancels it past its read budget), and
/// reports every failure as <see cref="CardReadException"/> with a stable <see cref="CardReadError"/>; anything else it
/// throws is reported as <see cref="CardReadError.ReaderError"/>. Both are called on the plugin's own threads.</para>
/// <para>Start from <c>Middleware.Plugins.Sdk.Pcsc.PcscCardPluginBase</c>, which does all of this but the claim and the
/// read sequence.</para>
/// </remarks>
public interface IPcscCardPlugin : Plugins.IPlugin
{
    /// <summary>The card technologies this plugin reads (shown in the reader list).</summary>
    IReadOnlyList<CardTechnology> Technologies { get; }

    /// <summary>Whether this plugin reads <paramref name="card"/>, and how sure it is; <c>null</c> to leave it.</summary>
    /// <param name="card">The reader and the card's ATR (for storage cards, the reader's PC/SC Part 3 pseudo-ATR).</param>
    CardClaim? Claim(PresentedCard card);

    /// <summary>Reads the card the host connected to and returns its identity.</summary>
    /// <param name="card">The connected card: valid until this call returns.</param>
    /// <param name="cancellationToken">Cancelled when the host's read budget is spent, the card left or the host stops.</param>
    Task<CardIdentity> ReadAsync(IPcscCard card, CancellationToken cancellationToken);
}

/// <summary>A card on a PC/SC reader, before any plugin talks to it.</summary>
/// <param name="ReaderName">The reader's PC/SC name.</param>
/// <param name="Atr">The card's answer to reset.</param>
public sealed record PresentedCard(string ReaderName, ReadOnlyMemory<byte> Atr);

/// <summary>A plugin's claim on a card: the highest <see cref="Priority"/> wins; equal claims go to the plugin id first
/// in ordinal order, so the choice never depends on timing.</summary>
/// <param name="Priority">How specific the claim is.</param>
public readonly record struct CardClaim(int Priority)
{
    /// <summary>The ATR names this technology exactly (e.g. a PC/SC Part 3 card name).</summary>
    public static CardClaim Exact { get; } = new(100);

    /// <summary>The ATR fits this technology among others (e.g. any ISO 14443-4 card).</summary>
    public static CardClaim Likely { get; } = new(50);

    /// <summary>Worth trying when nothing else claims the card.</summary>
    public static CardClaim Fallback { get; } = new(10);
}

/// <summary>The connection to a card that the host holds for one <see cref="IPcscCardPlugin.ReadAsync"/> call.
/// The host disconnects it afterwards; a plugin never keeps it.</summary>
public interface IPcscCard
{
    /// <summary>The reader the card is on.</summary>
    string ReaderName { get; }

    /// <summary>The card's answer to reset.</summary>
    ReadOnlyMemory<byte> Atr { get; }

    /// <summary>
    /// Sends one command APDU and returns the response APDU (data and the two status bytes). Throws
    /// <see cref="SmartCardException"/>: <see cref="SmartCardError.RemovedCard"/> when the card left,
    /// <see cref="SmartCardError.ResetCard"/> when it was reset, a service loss when the PC/SC service went away.
    /// </summary>
    /// <param name="apdu">The command APDU (at most 261 bytes).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken);
}
