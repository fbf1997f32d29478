using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Calypso;

/// <summary>
/// Reads the Izly ZDC of Calypso cards without a SAM (<c>cards.md</c> §6): the read is reported unauthenticated
/// (<see cref="CardIdentity.Authenticated"/> false, no SAM id). The host watches the readers and hands over the cards
/// whose ATR this plugin claims; the SDK's base bounds and maps the read.
/// </summary>
public sealed class CalypsoReaderPlugin : PcscCardPluginBase
{
    /// <summary>The plugin id (its key in <c>plugins.json</c>).</summary>
    public const string PluginId = "reader.calypso";

    private ValidatedCalypsoSettings? _settings;

    /// <summary>Creates the plugin.</summary>
    public CalypsoReaderPlugin()
        : base(PluginId, "1.0.0", "Calypso ZDC reader (PC/SC, no SAM)", CardTechnology.Calypso)
    {
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _settings = context.GetSettings<CalypsoSettings>().Validate();
        context.Logger.LogInformation(
            "Calypso reader started: SFI {Sfi:X2}, record {Record}, {Patterns} ATR pattern(s), {Rev1Patterns} Rev1 ATR pattern(s); reads are unauthenticated (no SAM)",
            _settings.Sfi,
            _settings.RecordNumber,
            _settings.AtrPatterns.Count,
            _settings.Rev1AtrPatterns.Count);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override CardClaim? ClaimCard(PresentedCard card) =>
        _settings is { } s && s.RevisionOf(card.Atr.Span) is not null ? CardClaim.Likely : null;

    /// <inheritdoc />
    protected override async Task<CardIdentity> ReadCardAsync(IPcscCard card, CancellationToken cancellationToken)
    {
        var settings = _settings!;
        var revision = settings.RevisionOf(card.Atr.Span) ?? CalypsoRevision.Unknown;
        var result = await new CalypsoCardReader(card, settings).ReadAsync(revision, cancellationToken);
        var identity = new CardIdentity(
            result.Record.IdSupport,
            result.Record.NumeroApplicatif,
            CardTechnology.Calypso,
            card.ReaderName,
            SamId: null,
            Authenticated: false,
            IssuerCrous: result.Record.IdCrous,
            CreationDate: result.Record.CreationDate);
        Logger.LogInformation(
            "Calypso card {Card} read on {Reader} as {Revision}, unauthenticated (no SAM)",
            identity.MaskedIdSupport,
            card.ReaderName,
            result.Revision);
        return identity;
    }
}
