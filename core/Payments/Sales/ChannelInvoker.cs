using Microsoft.Extensions.Options;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Payments.Journal;
using Middleware.PluginHost;

namespace Middleware.Payments.Sales;

/// <summary>
/// Calls a channel plugin through the catalog (timeouts, hot reload) and turns Izly's answers into till errors.
/// </summary>
internal sealed class ChannelInvoker(IPluginCatalog plugins, IOptions<SalesOptions> options)
{
    private readonly SalesOptions _options = options.Value;

    // A debit passes its own budget (the payment's); other calls take the plugin host's call timeout.
    public async Task<TResult> InvokeAsync<TPlugin, TResult>(string channel, Func<TPlugin, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
        where TPlugin : class, Contracts.Plugins.IPlugin
    {
        if (!_options.ChannelPlugins.TryGetValue(channel, out var pluginId))
        {
            throw new MiddlewareException(ErrorCode.PluginUnavailable, $"No plugin is configured for the {channel} channel.");
        }

        try
        {
            return timeout is { } budget
                ? await plugins.InvokeAsync(pluginId, call, budget, cancellationToken).ConfigureAwait(false)
                : await plugins.InvokeAsync(pluginId, call, cancellationToken).ConfigureAwait(false);
        }
        catch (IzlyRefusedException refused)
        {
            throw IzlyErrors.ToException(refused);
        }
        catch (IzlyUnavailableException unavailable)
        {
            throw new MiddlewareException(ErrorCode.UpstreamUnavailable, unavailable.Message, null, unavailable);
        }
    }
}
