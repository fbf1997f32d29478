using Middleware.Contracts;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Plugins;

namespace Middleware.Plugins.IzlyPayChannel;

/// <summary>
/// IzlyPay web payments (crous-izly-api.md §8): the customer logs in and confirms on Izly's page; the host polls the
/// verification call until the payment is final.
/// </summary>
public sealed class IzlyPayChannelPlugin : IWebPaymentChannelPlugin
{
    private IIzlyGateway? _gateway;

    public PluginMetadata Metadata { get; } = new("channel.izlypay", "1.0.0", ContractInfo.Version, "IzlyPay web payments");

    public string Channel => "izlypay";

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

    public Task<WebPaymentStarted> StartAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken) =>
        Gateway.StartWebPaymentAsync(pointOfSale, clientOrderId, amount, message, callbackUrl, redirectUrl, cancellationToken);

    public async Task<WebPaymentState> GetStateAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken)
    {
        var state = await Gateway.GetWebPaymentAsync(pointOfSale, operationId, clientOrderId, cancellationToken).ConfigureAwait(false);
        // Never trust a payment whose verification names another operation or carries an error (§8).
        if (!string.Equals(state.OperationId, operationId, StringComparison.Ordinal))
        {
            return state with { Status = IzlyOperationStatus.Refused, Error = $"Verification answered for operation {state.OperationId}." };
        }

        return state.Error is not null && state.Status == IzlyOperationStatus.Completed
            ? state with { Status = IzlyOperationStatus.Refused }
            : state;
    }

    private IIzlyGateway Gateway => _gateway ?? throw new InvalidOperationException("The IzlyPay channel is not started.");
}
