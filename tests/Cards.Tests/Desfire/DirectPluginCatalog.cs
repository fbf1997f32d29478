using Middleware.Contracts.Plugins;
using Middleware.PluginHost;

namespace Middleware.Cards.Tests.Desfire;

/// <summary>A catalog of started plugins called directly, each call bounded by its budget (the real catalog runs them
/// on plugin threads; what the watcher asks of it is the same).</summary>
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
        return await call(plugin, budget.Token);
    }
}
