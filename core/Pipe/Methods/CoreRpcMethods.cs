using Microsoft.Extensions.DependencyInjection;
using Middleware.Contracts.Readers;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Protocol;
using Middleware.Pipe.Server;
using Middleware.PluginHost;

namespace Middleware.Pipe.Methods;

/// <summary>The pipe's own methods: <c>ping</c>, <c>plugins.*</c>, <c>readers.list</c>, <c>readers.read</c>. The plugin catalog is
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

    /// <summary>Reads the card on one of the calling till's readers now, or the next one presented within
    /// <paramref name="timeoutMs"/>; the host publishes the read as a tap (<see cref="ICardReaders.ReadCardAsync"/>).</summary>
    [RpcMethod("readers.read")]
    public async Task<CardTappedNotification> ReadersReadAsync(string reader, int timeoutMs = 5000, CancellationToken cancellationToken = default)
    {
        var till = TillContext.Required;
        if (timeoutMs is < 1 or > 300_000)
        {
            throw new Domain.Errors.MiddlewareException(Domain.Errors.ErrorCode.InvalidRequest, "timeoutMs must be 1..300000.");
        }

        var configured = pointsOfSale.Find(till.PointOfSale)?.Readers ?? [];
        if (string.IsNullOrWhiteSpace(reader) || !configured.Contains(reader, StringComparer.Ordinal))
        {
            throw new Domain.Errors.MiddlewareException(Domain.Errors.ErrorCode.UnknownReader, $"Reader '{reader}' is not configured for {till.PointOfSale}.");
        }

        var readers = services.GetService<ICardReaders>()
            ?? throw new Domain.Errors.MiddlewareException(Domain.Errors.ErrorCode.PluginUnavailable, "This host has no card readers.");
        CardIdentity card;
        try
        {
            card = await readers.ReadCardAsync(reader, TimeSpan.FromMilliseconds(timeoutMs), cancellationToken).ConfigureAwait(false);
        }
        catch (CardReadException ex)
        {
            throw new Domain.Errors.MiddlewareException(Notifications.CardEventRouter.CodeFor(ex.Error), ex.Message);
        }
        catch (TerminalException ex)
        {
            // A terminal busy with another request, or whose link or protocol failed: the till may ask again.
            throw new Domain.Errors.MiddlewareException(Domain.Errors.ErrorCode.ReaderUnavailable, ex.Message);
        }

        var at = services.GetService<TimeProvider>()?.GetUtcNow() ?? DateTimeOffset.UtcNow;
        return new CardTappedNotification(card.ReaderName, card.Technology, card.IdSupport, card.NumeroApplicatif, card.Authenticated, card.SamId, card.IssuerCrous, card.CreationDate, at);
    }
}
