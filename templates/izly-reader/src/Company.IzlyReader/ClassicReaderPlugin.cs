using System.Reflection;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Company.IzlyReader;

/// <summary>
/// Reads the Izly ZDC of MIFARE Classic 1K and 4K cards (cards.md §4) on PC/SC readers. The host watches the readers,
/// connects to each card and hands it over when this plugin's claim wins; the SDK's base filters readers by name,
/// bounds the read by its timeout and maps every failure to the error the tills see.
/// </summary>
public sealed class ClassicReaderPlugin : PcscCardPluginBase
{
    /// <summary>The plugin id: its key in the host's plugins.json.</summary>
    public const string PluginId = "reader.classic-example";

    private ValidatedClassicReaderSettings? _settings;

    /// <summary>Created by the host (public, parameterless, no I/O: devices and settings come in <see cref="OnStartAsync"/>).</summary>
    public ClassicReaderPlugin()
        : base(PluginId, PluginVersion, "MIFARE Classic ZDC reader (Company.IzlyReader)", CardTechnology.Classic1K, CardTechnology.Classic4K)
    {
    }

    // One version to bump: the project's <Version>, which the build writes into the assembly.
    private static string PluginVersion =>
        typeof(ClassicReaderPlugin).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <inheritdoc />
    protected override Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        // A bad setting throws ArgumentException: the host shows the plugin as not started, with this message.
        _settings = context.GetSettings<ClassicReaderSettings>().Validate();
        context.Logger.LogInformation(
            "Classic reader started: {PatternCount} ATR pattern(s), read timeout {ReadTimeoutMs} ms",
            _settings.AtrPatterns.Count,
            CommonSettings.ReadTimeout.TotalMilliseconds);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task OnStopAsync(CancellationToken cancellationToken)
    {
        _settings?.Dispose();
        _settings = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override CardClaim? ClaimCard(PresentedCard card)
    {
        if (_settings is not { } settings || !settings.Claims(card.Atr.Span))
        {
            return null;
        }

        // A PC/SC Part 3 pseudo-ATR naming a Classic card is certain; a pattern of the settings alone only likely.
        return ClassicLayout.FromPseudoAtr(card.Atr.Span) is not null ? CardClaim.Exact : CardClaim.Likely;
    }

    /// <inheritdoc />
    protected override async Task<CardIdentity> ReadCardAsync(IPcscCard card, CancellationToken cancellationToken)
    {
        var settings = _settings ?? throw new InvalidOperationException($"{PluginId} is not started.");
        var layout = ClassicLayout.FromPseudoAtr(card.Atr.Span) ?? ClassicLayout.Classic1K;
        var record = await ClassicCardReader.ReadZdcAsync(card, layout, settings.KeyA, cancellationToken).ConfigureAwait(false);
        var identity = new CardIdentity(
            record.IdSupport,
            record.NumeroApplicatif,
            layout.Technology,
            card.ReaderName,
            SamId: null,
            // The key came from the settings, not from a SAM: nothing proved the card genuine.
            Authenticated: false,
            IssuerCrous: record.IdCrous,
            CreationDate: record.CreationDate);

        // CardIdentity prints the card number masked: never log IdSupport itself.
        Logger.LogDebug("Read {Card}", identity.ToString());
        return identity;
    }
}
