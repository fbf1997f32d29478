using Middleware.Contracts;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Plugins;

namespace Middleware.Plugins.QrChannel;

/// <summary>
/// Izly QR-code payments: the scanned text of an Izly app QR code (crous-izly-api.md §6) finds the right holder with
/// <c>searchQRCode</c> and is debited with <c>debit/qrcode</c>; the gateway base64-encodes it.
/// </summary>
public sealed class QrChannelPlugin : IPaymentChannelPlugin
{
    private IIzlyGateway? _gateway;

    public PluginMetadata Metadata { get; } = new("channel.qr", "1.0.0", ContractInfo.Version, "Izly QR-code payments");

    public string Channel => "qr";

    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _gateway = context.GetService<IIzlyGateway>() ?? throw new InvalidOperationException("The host offers no Izly gateway.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _gateway = null;
        return Task.CompletedTask;
    }

    public Task<RightHolder> IdentifyAsync(string pointOfSale, PaymentMedium medium, CancellationToken cancellationToken)
    {
        var qr = AsQr(medium);
        return Gateway.FindByQrCodeAsync(pointOfSale, qr.ScannedText, cancellationToken);
    }

    public Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AsQr(request.Medium);
        return Gateway.DebitAsync(request, cancellationToken);
    }

    /// <summary>
    /// A scan that cannot be an Izly code (a barcode, a truncated read) is refused here, before Izly is asked:
    /// <c>AIZ;&lt;guid&gt;;&lt;timestamp&gt;;3;&lt;hmac&gt;;&lt;signature&gt;</c>.
    /// </summary>
    public static bool LooksLikeIzlyQrCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith("AIZ;", StringComparison.Ordinal))
        {
            return false;
        }

        var fields = text.Split(';');
        return fields.Length == 6 && Guid.TryParse(fields[1], out _) && fields[4].Length > 0 && fields[5].Length > 0;
    }

    private IIzlyGateway Gateway => _gateway ?? throw new InvalidOperationException("The QR channel is not started.");

    private static QrMedium AsQr(PaymentMedium medium)
    {
        var qr = medium as QrMedium ?? throw new ArgumentException($"The QR channel cannot take a {medium?.Channel ?? "null"} medium.", nameof(medium));
        return LooksLikeIzlyQrCode(qr.ScannedText)
            ? qr
            : throw new IzlyRefusedException(IzlyRefusal.QrInvalid, "The scanned text is not an Izly payment QR code.");
    }
}
