using Microsoft.Extensions.DependencyInjection;
using Middleware.Contracts.Readers;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Protocol;
using Middleware.Pipe.Server;
using Middleware.PluginHost;

namespace Middleware.Pipe.Methods;

/// <summary>The pipe's own methods: <c>ping</c>, <c>plugins.status</c>, <c>readers.list</c>. The plugin catalog is
/// optional (resolved lazily) so the pipe runs, with empty lists, before the plugin host is wired.</summary>
internal sealed class CoreRpcMethods(IServiceProvider services, PointOfSaleDirectory pointsOfSale) : IRpcTarget
{
    /// <summary>Does nothing: measures the protocol's own cost.</summary>
    [RpcMethod("ping")]
    public void Ping()
    {
    }

    [RpcMethod("plugins.status")]
    public IReadOnlyList<PluginStatusDto> PluginsStatus() =>
        services.GetService<IPluginCatalog>() is { } catalog
            ? [.. catalog.GetStatuses().Select(s => new PluginStatusDto(s.Id, s.Version, s.State, s.Reason, s.Folder, s.Since))]
            : [];

    /// <summary>Operator: reloads a plugin from its folder now (a failing new version leaves the old one serving).</summary>
    [RpcMethod("plugins.reload", Operator = true)]
    public async Task<PluginStatusDto> PluginsReloadAsync(string pluginId, CancellationToken cancellationToken) =>
        Dto(await Control.ReloadAsync(Required(pluginId), cancellationToken).ConfigureAwait(false));

    /// <summary>Operator: takes a plugin out of service until <c>plugins.enable</c> or a restart.</summary>
    [RpcMethod("plugins.disable", Operator = true)]
    public async Task<PluginStatusDto> PluginsDisableAsync(string pluginId, CancellationToken cancellationToken) =>
        Dto(await Control.DisableAsync(Required(pluginId), cancellationToken).ConfigureAwait(false));

    /// <summary>Operator: brings back a plugin an operator disabled, or a Malfunctioned one without waiting for its retry.</summary>
    [RpcMethod("plugins.enable", Operator = true)]
    public async Task<PluginStatusDto> PluginsEnableAsync(string pluginId, CancellationToken cancellationToken) =>
        Dto(await Control.EnableAsync(Required(pluginId), cancellationToken).ConfigureAwait(false));

    private IPluginHostControl Control => services.GetService<IPluginHostControl>()
        ?? throw new Domain.Errors.MiddlewareException(Domain.Errors.ErrorCode.PluginUnavailable, "This host has no plugin host.");

    // A till's JSON may send null or nothing: a clear refusal, not an internal error from the plugin host.
    private static string Required(string? pluginId) => string.IsNullOrWhiteSpace(pluginId)
        ? throw new Domain.Errors.MiddlewareException(Domain.Errors.ErrorCode.InvalidRequest, "pluginId is required: a plugin's id as plugins.status lists it.")
        : pluginId;

    private static PluginStatusDto Dto(PluginStatusInfo s) => new(s.Id, s.Version, s.State, s.Reason, s.Folder, s.Since);

    /// <summary>The readers configured for the calling till's point of sale, with their live state; a configured
    /// reader no active plugin offers is listed as <c>Unavailable</c>.</summary>
    [RpcMethod("readers.list")]
    public async Task<IReadOnlyList<ReaderDto>> ReadersListAsync(CancellationToken cancellationToken)
    {
        var till = TillContext.Required;
        var configured = pointsOfSale.Find(till.PointOfSale)?.Readers ?? [];
        var live = services.GetService<ICardReaders>() is { } readers
            ? await readers.GetReadersAsync(cancellationToken).ConfigureAwait(false)
            : [];
        var result = new List<ReaderDto>();
        foreach (var name in configured)
        {
            var reader = live.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
            result.Add(reader is null
                ? new ReaderDto(name, null, [], ReaderState.Unavailable)
                : new ReaderDto(reader.Name, reader.PluginId, reader.Technologies, reader.State));
        }

        return result;
    }
}
