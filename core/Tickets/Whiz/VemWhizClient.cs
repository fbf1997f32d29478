using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using ApiWhiz = Middleware.Api.Vem;

namespace Middleware.Tickets.Whiz;

/// <summary>The Whiz seam over the VEM/Whiz client of core/Api (§9).</summary>
internal sealed class VemWhizClient(IVemClient client) : IWhizClient
{
    public async Task<WhizOrderCreatedResponse> CreateOrderAsync(PointOfSaleId pointOfSale, WhizOrderRequest order, CancellationToken cancellationToken)
    {
        var created = await client.CreateWhizOrderAsync(pointOfSale,
            new ApiWhiz.WhizOrder(order.NumeroTicket, order.IdTypeDistribution, order.Heure,
                [.. order.Lignes.Select(l => new ApiWhiz.WhizOrderLine(l.CodeArticle, l.Libelle, l.Quantite, l.Commentaire))]),
            cancellationToken).ConfigureAwait(false);
        return new WhizOrderCreatedResponse(created.IdCommande, created.NumeroAppel);
    }

    public Task UpdateStatusAsync(PointOfSaleId pointOfSale, string idCommande, string status, CancellationToken cancellationToken) =>
        client.UpdateWhizOrderStatusAsync(pointOfSale, idCommande, status switch
        {
            WhizStatuses.EnPreparation => WhizOrderStatus.EnPreparation,
            WhizStatuses.Prete => WhizOrderStatus.Prete,
            WhizStatuses.Servie => WhizOrderStatus.Servie,
            WhizStatuses.Annulee => WhizOrderStatus.Annulee,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown Whiz status."),
        }, cancellationToken);
}
