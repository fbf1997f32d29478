using System.Collections.Concurrent;
using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Izly;

/// <summary>
/// The Izly key (<c>cleIzly</c>) of each point of sale, held in memory only: filled by the reference sync from
/// <c>caisse</c>, or on first use by asking VEM. Never written to the reference tables, never logged.
/// </summary>
internal sealed class IzlyKeyStore(IVemClient vem)
{
    private readonly ConcurrentDictionary<PointOfSaleId, string> keys = new();

    public void Set(PointOfSaleId pointOfSale, string? cleIzly)
    {
        if (!string.IsNullOrEmpty(cleIzly))
        {
            keys[pointOfSale] = cleIzly;
        }
    }

    public bool Has(PointOfSaleId pointOfSale) => keys.ContainsKey(pointOfSale);

    /// <summary>The key; asks VEM's <c>caisse</c> when unknown or when <paramref name="refresh"/> (Izly refused the old one).</summary>
    public async Task<string> GetAsync(PointOfSaleId pointOfSale, bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && keys.TryGetValue(pointOfSale, out var key))
        {
            return key;
        }

        var caisse = await vem.GetCaisseAsync(pointOfSale, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(caisse.CleIzly))
        {
            throw new VemApiException(VemFailure.InvalidResponse, $"VEM caisse of {pointOfSale} has no cleIzly.");
        }

        keys[pointOfSale] = caisse.CleIzly;
        return caisse.CleIzly;
    }
}
