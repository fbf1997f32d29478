using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Desfire;

/// <summary>
/// Reads the Izly ZDC of MIFARE DESFire EV1/EV2 cards (<c>cards.md</c> §3) with the host's SAM. The host watches the
/// readers and hands over the cards whose ATR this plugin claims; the SDK's base bounds and maps the read.
/// </summary>
public sealed class DesfireReaderPlugin : PcscCardPluginBase
{
    /// <summary>The plugin id (its key in <c>plugins.json</c>).</summary>
    public const string PluginId = "reader.desfire";

    private ValidatedDesfireSettings? _settings;

    /// <summary>Creates the plugin.</summary>
    public DesfireReaderPlugin()
        : base(PluginId, "2.0.0", "MIFARE DESFire ZDC reader (PC/SC, SAM)", CardTechnology.Desfire)
    {
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _settings = context.GetSettings<DesfireSettings>().Validate();
        if (Sam is null)
        {
            context.Logger.LogWarning("No SAM in this host: DESFire cards will be refused with a SAM error");
        }

        context.Logger.LogInformation(
            "DESFire reader started: application {ApplicationId:X6}, file {FileNumber}, card key {ReadKeyNumber}, SAM key {SamKeyNumber}",
            _settings.ApplicationId,
            _settings.FileNumber,
            _settings.ReadKeyNumber,
            _settings.SamKeyNumber);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override CardClaim? ClaimCard(PresentedCard card) =>
        _settings is { } s && s.Claims(card.Atr.Span) ? CardClaim.Likely : null;

    /// <inheritdoc />
    protected override async Task<CardIdentity> ReadCardAsync(IPcscCard card, CancellationToken cancellationToken)
    {
        var sam = RequireSam();
        var record = (await new DesfireCardReader(card, sam, _settings!).ReadAsync(cancellationToken)).Record;
        return new CardIdentity(
            record.IdSupport,
            record.NumeroApplicatif,
            CardTechnology.Desfire,
            card.ReaderName,
            sam.SamId,
            Authenticated: true,
            IssuerCrous: record.IdCrous,
            CreationDate: record.CreationDate);
    }
}
