namespace Middleware.Plugins.Testing;

/// <summary>Options of the reader profile (<see cref="ConformanceKit.RunReaderProfileAsync"/>) for a PC/SC card plugin.</summary>
public sealed class ReaderKitOptions : KitPluginOptions
{
    /// <summary>The cards the plugin must read: each tap must give <c>CardTapped</c> with its
    /// <see cref="KitCard.ExpectedIdSupport"/>. At least one. The first is used for the failure checks (removed mid-read,
    /// garbage, mute), which keep its ATR so that the plugin claims them.</summary>
    public required IReadOnlyList<KitCard> SampleCards { get; init; }

    /// <summary>A card the plugin must not claim (the host then reports <c>NotAnIzlyCard</c>). Default: a MIFARE Classic 1K
    /// (PC/SC Part 3 pseudo-ATR) that answers nothing.</summary>
    public KitCard ForeignCard { get; init; } = KitCard.Foreign;

    /// <summary>The SAM key file (JSON, the software SAM's format) the host's SAM reads; null for a host without SAM.</summary>
    public string? SamKeyFileJson { get; init; }

    /// <summary>Use the host's real PC/SC service and insert the cards through pcscd + vsmartcard-vpcd (the reader
    /// <see cref="RealReaderName"/> on <see cref="VpcdPort"/>); otherwise the kit's <see cref="Fakes.FakePcscService"/>.</summary>
    public bool UseRealPcsc { get; init; }

    /// <summary>The vpcd reader used when <see cref="UseRealPcsc"/>. Default <c>Virtual PCD 00 00</c>.</summary>
    public string RealReaderName { get; init; } = "Virtual PCD 00 00";

    /// <summary>vpcd's port for <see cref="RealReaderName"/>. Default 35963.</summary>
    public int VpcdPort { get; init; } = Middleware.VirtualCards.Vpcd.VpcdCardSlot.FirstReaderPort;

    /// <summary>The removed-mid-read check pulls the card out at this command APDU (1-based). Default 2.</summary>
    public int RemoveAtApdu { get; init; } = 2;

    /// <summary>The host's outer budget of one card read (<c>CardReaders:ReadBudget</c>). Default 3 s; it must cover
    /// the plugin's <c>readTimeoutMs</c>.</summary>
    public TimeSpan HostReadBudget { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest one claim may take ("no blocking on event threads"). Default 50 ms.</summary>
    public TimeSpan ClaimLimit { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How many claims the claim-speed check measures. Default 100.</summary>
    public int ClaimSamples { get; init; } = 100;

    /// <summary>How long the kit waits for one expected card event. Default 10 s.</summary>
    public TimeSpan EventTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
