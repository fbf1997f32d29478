using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;

namespace Middleware.Tickets.Sending;

/// <summary>The upload seam over the VEM client of core/Api (§4).</summary>
internal sealed class VemTicketUploader(IVemClient client) : ITicketUploader
{
    public async Task<TicketUploadResponse> UploadAsync(PointOfSaleId pointOfSale, VemTicket ticket, bool onlineOrder, CancellationToken cancellationToken)
    {
        var result = await client.UploadTicketAsync(pointOfSale, ticket, onlineOrder, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            TicketUploadOutcome.Integrated => TicketUploadResponse.Integrated,
            TicketUploadOutcome.Duplicate => TicketUploadResponse.Duplicate,
            TicketUploadOutcome.Rejected => TicketUploadResponse.Rejected(result.Error?.Code ?? result.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Error?.Message ?? result.Detail),
            _ => TicketUploadResponse.Transient(result.Detail ?? ("HTTP " + result.HttpStatus)),
        };
    }
}
