using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.Plugins.Sdk.Zdc;

namespace Middleware.Plugins.UltralightC;

/// <summary>
/// Reads the Izly ZDC of MIFARE Ultralight C cards (<c>cards.md</c> §5) with the host's SAM, through the reader's
/// pass-through. The host watches the readers and hands over the cards whose ATR this plugin claims; the SDK's base
/// bounds and maps the read.
/// </summary>
public sealed class UltralightCReaderPlugin : PcscCardPluginBase
{
    /// <summary>The plugin id (its key in <c>plugins.json</c>).</summary>
    public const string PluginId = "reader.ultralightc";

    private ValidatedUltralightCSettings? _settings;

    /// <summary>Creates the plugin.</summary>
    public UltralightCReaderPlugin()
        : base(PluginId, "1.0.0", "MIFARE Ultralight C ZDC reader (PC/SC transparent session, SAM)", CardTechnology.UltralightC)
    {
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _settings = context.GetSettings<UltralightCSettings>().Validate();
        if (Sam is null)
        {
            context.Logger.LogWarning("No SAM in this host: Ultralight C cards will be refused with a SAM error");
        }

        context.Logger.LogInformation(
            "Ultralight C reader started: SAM key {SamKeyNumber}, pass-through {PassThrough}, {ReaderExceptions} per-reader exception(s), {AtrPatterns} ATR pattern(s)",
            _settings.SamKeyNumber,
            _settings.PassThrough,
            _settings.ReaderPassThrough.Count,
            _settings.AtrPatterns.Count);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override CardClaim? ClaimCard(PresentedCard card) =>
        _settings is { } s && s.Claims(card.Atr.Span) ? CardClaim.Exact : null;

    /// <inheritdoc />
    protected override async Task<CardIdentity> ReadCardAsync(IPcscCard card, CancellationToken cancellationToken)
    {
        var sam = RequireSam();
        ZdcRecord record;
        try
        {
            record = (await new UltralightCCardReader(card, sam, _settings!).ReadAsync(cancellationToken).ConfigureAwait(false)).Record;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // An answer that comes after the read budget is spent (a driver giving up on a mute card, e.g. 6F 00) is
            // the timeout, not a card error.
            throw new OperationCanceledException("The read budget was spent before the card answered.", ex, cancellationToken);
        }

        return new CardIdentity(
            record.IdSupport,
            record.NumeroApplicatif,
            CardTechnology.UltralightC,
            card.ReaderName,
            sam.SamId,
            Authenticated: true,
            IssuerCrous: record.IdCrous,
            CreationDate: record.CreationDate);
    }
}
