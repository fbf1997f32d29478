using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Classic;

/// <summary>
/// Reads the Izly ZDC of MIFARE Classic 1K and 4K cards (<c>cards.md</c> §4) with key A exported by the host's SAM.
/// The host watches the readers and hands over the cards whose PC/SC Part 3 pseudo-ATR names a Classic 1K or 4K.
/// </summary>
public sealed class ClassicReaderPlugin : PcscCardPluginBase
{
    /// <summary>The plugin id (its key in <c>plugins.json</c>).</summary>
    public const string PluginId = "reader.classic";

    private ValidatedClassicSettings? _settings;

    /// <summary>Creates the plugin.</summary>
    public ClassicReaderPlugin()
        : base(PluginId, "1.0.0", "MIFARE Classic 1K/4K ZDC reader (PC/SC Part 3, SAM)", CardTechnology.Classic1K, CardTechnology.Classic4K)
    {
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _settings = context.GetSettings<ClassicSettings>().Validate();
        if (Sam is null)
        {
            context.Logger.LogWarning("No SAM in this host: MIFARE Classic cards will be refused with a SAM error");
        }

        context.Logger.LogInformation(
            "MIFARE Classic reader started: 1K sector {Sector1K} blocks {First1K}-{Second1K}, 4K sector {Sector4K} blocks {First4K}-{Second4K}, SAM key {SamKeyNumber}",
            _settings.Classic1K.Sector,
            _settings.Classic1K.FirstBlock,
            _settings.Classic1K.SecondBlock,
            _settings.Classic4K.Sector,
            _settings.Classic4K.FirstBlock,
            _settings.Classic4K.SecondBlock,
            _settings.SamKeyNumber);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override CardClaim? ClaimCard(PresentedCard card) =>
        _settings?.Classify(card.Atr.Span) is null ? null : CardClaim.Exact;

    /// <inheritdoc />
    protected override async Task<CardIdentity> ReadCardAsync(IPcscCard card, CancellationToken cancellationToken)
    {
        var settings = _settings ?? throw new InvalidOperationException($"{PluginId} is not started.");
        var (technology, layout) = settings.Classify(card.Atr.Span)
            ?? throw new CardReadException(CardReadError.NotAnIzlyCard, "Not a MIFARE Classic 1K or 4K card: its ATR names another card.");
        var sam = RequireSam();
        var record = await new ClassicCardReader(card, sam, settings.SamKeyNumber, layout).ReadAsync(cancellationToken);
        return new CardIdentity(
            record.IdSupport,
            record.NumeroApplicatif,
            technology,
            card.ReaderName,
            sam.SamId,
            Authenticated: true,
            IssuerCrous: record.IdCrous,
            CreationDate: record.CreationDate);
    }
}
