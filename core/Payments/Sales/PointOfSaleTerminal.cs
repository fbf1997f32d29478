using Middleware.Domain.PointsOfSale;

namespace Middleware.Payments.Sales;

/// <summary>The payment terminal a point of sale takes CB on (<see cref="PointOfSaleOptions.Terminal"/>), if any.</summary>
internal static class PointOfSaleTerminal
{
    /// <summary>The terminal's name, or null when the till charges its own card terminal.</summary>
    public static string? NameOf(IEnumerable<PointOfSaleOptions> pointsOfSale, PointOfSaleId pointOfSale) =>
        pointsOfSale.FirstOrDefault(p => PointOfSaleId.TryParse(p.Id, out var id) && id == pointOfSale)?.Terminal is { Length: > 0 } name ? name : null;
}
