using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;

namespace Middleware.Api.Vem;

/// <summary>
/// The Crous SI (VEM) API (crous-izly-api.md §2–§4, §9). Reference reads throw <see cref="VemApiException"/>;
/// the ticket upload returns a <see cref="TicketUploadResult"/> and never throws for an HTTP or network failure.
/// Every call authenticates itself (token cached, renewed before expiry, one re-authentication and retry on 401/403).
/// </summary>
public interface IVemClient
{
    /// <summary><c>caisse</c>: the till's record and its Izly key (keep the key in memory only).</summary>
    Task<VemCaisse> GetCaisseAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>tva</c>.</summary>
    Task<IReadOnlyList<VemTva>> GetTvaAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>articles?versBornesPrepaiement=0|1</c> (1: the kiosk articles only).</summary>
    Task<IReadOnlyList<VemArticle>> GetArticlesAsync(PointOfSaleId pointOfSale, bool versBornesPrepaiement, CancellationToken cancellationToken);

    /// <summary><c>societes</c>.</summary>
    Task<IReadOnlyList<VemSociete>> GetSocietesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>societes-tarifs</c>.</summary>
    Task<IReadOnlyList<VemSocieteTarif>> GetSocietesTarifsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>periodes</c>.</summary>
    Task<IReadOnlyList<VemPeriode>> GetPeriodesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>societes-tarifs-periode</c>.</summary>
    Task<IReadOnlyList<VemSocieteTarifPeriode>> GetSocietesTarifsPeriodeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>articles-societes-tarifs-periodes?periodesFutures=0|1&amp;versBornesPrepaiement=0|1</c>.</summary>
    Task<IReadOnlyList<VemArticlePrix>> GetArticlesSocietesTarifsPeriodesAsync(PointOfSaleId pointOfSale, bool periodesFutures, bool versBornesPrepaiement, CancellationToken cancellationToken);

    /// <summary><c>droits-entree-types</c>.</summary>
    Task<IReadOnlyList<VemDroitEntreeType>> GetDroitsEntreeTypesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>droits-entree</c>.</summary>
    Task<IReadOnlyList<VemDroitEntree>> GetDroitsEntreeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary><c>subventions</c>.</summary>
    Task<IReadOnlyList<VemSubvention>> GetSubventionsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);

    /// <summary>
    /// Uploads a ticket (§4). Retried with backoff on timeouts and 5xx: this POST is idempotent by
    /// <c>idTicketEntete</c> (VEM answers 200 with the first result for a repeat), so a repeat after a lost answer
    /// cannot record the sale twice. Never throws for HTTP/network failures: see <see cref="TicketUploadResult.Outcome"/>.
    /// </summary>
    Task<TicketUploadResult> UploadTicketAsync(PointOfSaleId pointOfSale, VemTicket ticket, bool versCommandeEnLigne, CancellationToken cancellationToken);

    /// <summary>Sends an order to the kitchen display (§9). Whiz keys an order by its distribution unit and
    /// <c>numeroTicket</c> (unique per point of sale: it carries the date): a repeat answers 200 with the first order, so
    /// the caller may repeat a creation whose outcome is unknown without cooking twice. This call itself sends once and
    /// throws <see cref="VemApiException"/> with <see cref="VemFailure.Unavailable"/> when the outcome is unknown, so that
    /// the caller's durable queue, not an in-memory retry, decides when to repeat.</summary>
    Task<WhizOrderCreated> CreateWhizOrderAsync(PointOfSaleId pointOfSale, WhizOrder order, CancellationToken cancellationToken);

    /// <summary>Sets a Whiz order's status (§9). Retried: setting the same status twice is harmless.</summary>
    Task UpdateWhizOrderStatusAsync(PointOfSaleId pointOfSale, string idCommande, WhizOrderStatus status, CancellationToken cancellationToken);
}
