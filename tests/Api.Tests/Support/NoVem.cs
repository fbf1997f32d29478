using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;

namespace Middleware.Api.Tests.Support;

/// <summary>A VEM never asked: the Izly key is set up front. Any call is a test bug and fails loudly.</summary>
internal sealed class NoVem : IVemClient
{
    private static InvalidOperationException No() => new("this test never asks VEM");

    public Task<VemCaisse> GetCaisseAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemTva>> GetTvaAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemArticle>> GetArticlesAsync(PointOfSaleId pointOfSale, bool versBornesPrepaiement, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemSociete>> GetSocietesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemSocieteTarif>> GetSocietesTarifsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemPeriode>> GetPeriodesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemSocieteTarifPeriode>> GetSocietesTarifsPeriodeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemArticlePrix>> GetArticlesSocietesTarifsPeriodesAsync(PointOfSaleId pointOfSale, bool periodesFutures, bool versBornesPrepaiement, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemDroitEntreeType>> GetDroitsEntreeTypesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemDroitEntree>> GetDroitsEntreeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<IReadOnlyList<VemSubvention>> GetSubventionsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => throw No();
    public Task<TicketUploadResult> UploadTicketAsync(PointOfSaleId pointOfSale, VemTicket ticket, bool versCommandeEnLigne, CancellationToken cancellationToken) => throw No();
    public Task<WhizOrderCreated> CreateWhizOrderAsync(PointOfSaleId pointOfSale, WhizOrder order, CancellationToken cancellationToken) => throw No();
    public Task UpdateWhizOrderStatusAsync(PointOfSaleId pointOfSale, string idCommande, WhizOrderStatus status, CancellationToken cancellationToken) => throw No();
}
