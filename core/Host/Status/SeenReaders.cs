using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Contracts.Readers;
using Middleware.Domain.PointsOfSale;
using Middleware.PluginHost;

namespace Middleware.Host.Status;

/// <summary>
/// Every reader the host sees, configured or not: the PC/SC readers of its watch, the terminals of its plugins, the
/// serial ports of the system; and the readers the points of sale name that nobody sees. Each with the points of sale
/// configured for it: an operator finds here the exact name to write in <c>PointsOfSale[].Readers</c>.
/// </summary>
internal sealed class SeenReaders(IServiceProvider services, IConfiguration configuration)
{
    public async Task<IReadOnlyList<SeenReader>> ListAsync(CancellationToken cancellationToken)
    {
        var configured = configuration.GetSection("PointsOfSale").Get<List<PointOfSaleOptions>>() ?? [];
        IReadOnlyList<string> PointsOfSaleOf(string name) =>
            [.. configured.Where(p => p.Readers.Contains(name, StringComparer.OrdinalIgnoreCase)).Select(p => p.Id).Order(StringComparer.Ordinal)];

        var result = new List<SeenReader>();
        if (services.GetService<ICardReaders>() is { } readers)
        {
            foreach (var reader in await readers.GetReadersAsync(cancellationToken).ConfigureAwait(false))
            {
                // "pcsc" is the owner the host lists its PC/SC watch's readers under (PcscCardWatcher.ReadersOwner).
                var kind = reader.PluginId == "pcsc" ? "pcsc" : "terminal";
                result.Add(new SeenReader(reader.Name, kind, reader.PluginId, reader.State.ToString(), PointsOfSaleOf(reader.Name), Seen: true));
            }
        }

        if (services.GetService<ISerialLinkProvider>() is { } serial)
        {
            foreach (var port in serial.ListPorts())
            {
                if (!result.Any(r => string.Equals(r.Name, port, StringComparison.OrdinalIgnoreCase)))
                {
                    result.Add(new SeenReader(port, "serial", null, "Present", PointsOfSaleOf(port), Seen: true));
                }
            }
        }

        foreach (var name in configured.SelectMany(p => p.Readers).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!result.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                result.Add(new SeenReader(name, "unknown", null, ReaderState.Unavailable.ToString(), PointsOfSaleOf(name), Seen: false));
            }
        }

        return result;
    }
}
