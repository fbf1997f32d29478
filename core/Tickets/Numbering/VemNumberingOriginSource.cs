using System.Globalization;
using System.Text.Json;
using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Tickets.Numbering;

/// <summary>Reads <c>dernierTicket</c> from VEM's <c>caisse</c> resource (asked live: a cached copy may be older than
/// the tickets VEM received since).</summary>
internal sealed class VemNumberingOriginSource(IVemClient vem) : INumberingOriginSource
{
    public async Task<VemLastTicket> GetLastTicketAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken)
    {
        var caisse = await vem.GetCaisseAsync(pointOfSale, cancellationToken).ConfigureAwait(false);
        var last = caisse.DernierTicket;
        return last.ValueKind switch
        {
            JsonValueKind.Undefined => VemLastTicket.Unsupported,
            JsonValueKind.Null => new VemLastTicket(true, null, null),
            JsonValueKind.Object => new VemLastTicket(true, ReadId(last), last.TryGetProperty("numeroTicket", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null),
            _ => VemLastTicket.Unsupported,
        };
    }

    private static long? ReadId(JsonElement last)
    {
        if (!last.TryGetProperty("idTicketEntete", out var id))
        {
            return null;
        }

        return id.ValueKind switch
        {
            JsonValueKind.Number when id.TryGetInt64(out var v) => v,
            JsonValueKind.String when long.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) => v,
            _ => null,
        };
    }
}
