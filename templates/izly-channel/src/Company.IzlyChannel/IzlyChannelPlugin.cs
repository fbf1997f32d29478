using System.Reflection;
using Microsoft.Extensions.Logging;
using Middleware.Contracts;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Plugins;

namespace Company.IzlyChannel;

/// <summary>
/// A payment channel: the host owns the sale, the payment journal and recovery; the channel checks the medium the till
/// gave, finds the right holder and debits through the host's <see cref="IIzlyGateway"/> (crous-izly-api.md §6 for QR
/// codes). It keeps no state between calls: the host may call it from several tills at once.
/// </summary>
public sealed class IzlyChannelPlugin : IPaymentChannelPlugin
{
    /// <summary>The plugin id: its key in the host's plugins.json.</summary>
    public const string PluginId = "channel.qr-example";

    private IIzlyGateway? _gateway;
    private ILogger? _logger;

    /// <inheritdoc />
    public PluginMetadata Metadata { get; } = new(PluginId, PluginVersion, ContractInfo.Version, "QR-code payments (Company.IzlyChannel)");

    /// <summary>The medium this channel handles: <c>card</c>, <c>qr</c> or <c>izlypay</c>.</summary>
    public string Channel => "qr";

    // One version to bump: the project's <Version>, which the build writes into the assembly.
    private static string PluginVersion =>
        typeof(IzlyChannelPlugin).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private IIzlyGateway Gateway => _gateway ?? throw new InvalidOperationException($"{PluginId} is not started.");

    /// <inheritdoc />
    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        // No gateway: the host shows the plugin as not started, with this reason.
        _gateway = context.GetService<IIzlyGateway>() ?? throw new InvalidOperationException("The host offers no Izly gateway.");
        _logger = context.Logger;
        _logger.LogInformation("{PluginId} started for channel {Channel}", PluginId, Channel);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The plugin is about to be unloaded: hold nothing of the host's.
        _gateway = null;
        _logger = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<RightHolder> IdentifyAsync(string pointOfSale, PaymentMedium medium, CancellationToken cancellationToken)
    {
        var qr = AsQr(medium);
        return Gateway.FindByQrCodeAsync(pointOfSale, qr.ScannedText, cancellationToken);
    }

    /// <inheritdoc />
    public Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AsQr(request.Medium);
        // The gateway's exceptions go to the host as they are: it decides between refused, unavailable and unknown.
        return Gateway.DebitAsync(request, cancellationToken);
    }

    /// <summary>Refuses, before Izly is asked, what cannot be an Izly payment code:
    /// <c>AIZ;&lt;guid&gt;;&lt;timestamp&gt;;3;&lt;hmac&gt;;&lt;signature&gt;</c>.</summary>
    public static bool LooksLikeIzlyQrCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 1024 || !text.StartsWith("AIZ;", StringComparison.Ordinal))
        {
            return false;
        }

        var fields = text.Split(';');
        return fields.Length == 6 && Guid.TryParse(fields[1], out _) && fields[4].Length > 0 && fields[5].Length > 0;
    }

    private static QrMedium AsQr(PaymentMedium medium)
    {
        var qr = medium as QrMedium ?? throw new ArgumentException($"This channel cannot take a {medium?.Channel ?? "null"} medium.", nameof(medium));
        return LooksLikeIzlyQrCode(qr.ScannedText)
            ? qr
            : throw new IzlyRefusedException(IzlyRefusal.QrInvalid, "The scanned text is not an Izly payment QR code.");
    }
}
