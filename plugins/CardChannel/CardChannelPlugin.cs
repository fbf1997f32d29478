using Middleware.Contracts;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Plugins;

namespace Middleware.Plugins.CardChannel;

/// <summary>
/// Izly card payments: a card read by a reader plugin (its ZDC's idSupport and numeroApplicatif) finds the right
/// holder with <c>searchSupport</c> and is debited with <c>debit/support</c> (crous-izly-api.md §5).
/// </summary>
public sealed class CardChannelPlugin : IPaymentChannelPlugin
{
    private IIzlyGateway? _gateway;

    public PluginMetadata Metadata { get; } = new("channel.card", "1.0.0", ContractInfo.Version, "Izly card payments");

    public string Channel => "card";

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
        var card = AsCard(medium);
        return Gateway.FindBySupportAsync(pointOfSale, card.Card.IdSupport, card.Card.NumeroApplicatif, cancellationToken);
    }

    public Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AsCard(request.Medium);
        return Gateway.DebitAsync(request, cancellationToken);
    }

    private IIzlyGateway Gateway => _gateway ?? throw new InvalidOperationException("The card channel is not started.");

    private static CardMedium AsCard(PaymentMedium medium) =>
        medium as CardMedium ?? throw new ArgumentException($"The card channel cannot take a {medium?.Channel ?? "null"} medium.", nameof(medium));
}
