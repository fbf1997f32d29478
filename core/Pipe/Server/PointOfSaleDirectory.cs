using Microsoft.Extensions.Configuration;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Pipe.Server;

/// <summary>The configured points of sale (section <c>PointsOfSale</c>), read from configuration on each use so
/// edits of appsettings.json apply without a restart.</summary>
internal sealed class PointOfSaleDirectory(IConfiguration configuration)
{
    public const string SectionName = "PointsOfSale";

    public IReadOnlyList<PointOfSaleOptions> All() =>
        configuration.GetSection(SectionName).Get<List<PointOfSaleOptions>>() ?? [];

    public PointOfSaleOptions? Find(PointOfSaleId id) =>
        All().FirstOrDefault(p => PointOfSaleId.TryParse(p.Id, out var parsed) && parsed == id);

    /// <summary>The points of sale that list <paramref name="readerName"/> among their readers.</summary>
    public HashSet<PointOfSaleId> PointsOfSaleOf(string readerName)
    {
        var result = new HashSet<PointOfSaleId>();
        foreach (var pos in All())
        {
            if (PointOfSaleId.TryParse(pos.Id, out var id) && pos.Readers.Contains(readerName, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(id);
            }
        }

        return result;
    }
}
