using Middleware.Contracts.Plugins;
using Middleware.Domain.Errors;
using Middleware.PluginHost;

namespace Middleware.Cards.Tests.Desfire;

/// <summary>A catalog of started plugins, each call run off the caller's thread and bounded by its budget, as the real
/// catalog does (PluginTimeout past it; an exception that is not a contract answer is PluginMalfunctioned).</summary>
internal sealed class DirectPluginCatalog(params IPlugin[] plugins) : IPluginCatalog
{
    public bool Stopped { get; set; }

    public IReadOnlyList<PluginStatusInfo> GetStatuses() => throw new NotSupportedException();

    public IReadOnlyList<string> ActivePlugins<TPlugin>() where TPlugin : class, IPlugin =>
        Stopped ? [] : [.. plugins.OfType<TPlugin>().Select(p => p.Metadata.Id)];

    public Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin => InvokeAsync(pluginId, call, TimeSpan.FromSeconds(10), cancellationToken);

    public async Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, TimeSpan timeout, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin
    {
        var plugin = plugins.OfType<TPlugin>().Single(p => p.Metadata.Id == pluginId);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(timeout);
        var run = Task.Run(() => call(plugin, budget.Token), CancellationToken.None);
        try
        {
            return await run.WaitAsync(timeout + TimeSpan.FromMilliseconds(200), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new MiddlewareException(ErrorCode.PluginTimeout, $"Plugin '{pluginId}': the call did not finish within its budget.");
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MiddlewareException(ErrorCode.PluginTimeout, $"Plugin '{pluginId}': the call did not finish within its budget.");
        }
        catch (Exception ex) when (ex is not MiddlewareException and not OperationCanceledException && ex.GetType().Assembly != typeof(IPlugin).Assembly)
        {
            throw new MiddlewareException(ErrorCode.PluginMalfunctioned, $"Plugin '{pluginId}': a call threw {ex.GetType().Name}.");
        }
    }
}
