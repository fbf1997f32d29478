using System.Text.Json.Serialization;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Tickets.Whiz;

/// <summary>One line of a Whiz order (crous-izly-api.md §9).</summary>
public sealed record WhizOrderLine(
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("libelle")] string Libelle,
    [property: JsonPropertyName("quantite")] int Quantite,
    [property: JsonPropertyName("commentaire")] string? Commentaire);

/// <summary>A take-away or online order for the kitchen display (§9).</summary>
public sealed record WhizOrderRequest(
    [property: JsonPropertyName("numeroTicket")] string NumeroTicket,
    [property: JsonPropertyName("idTypeDistribution")] int IdTypeDistribution,
    [property: JsonPropertyName("heure")] DateTimeOffset Heure,
    [property: JsonPropertyName("lignes")] IReadOnlyList<WhizOrderLine> Lignes);

/// <summary>Whiz's answer to a created order.</summary>
public sealed record WhizOrderCreatedResponse(string IdCommande, string NumeroAppel);

/// <summary>Order statuses of §9.</summary>
public static class WhizStatuses
{
    public const string EnPreparation = "EN_PREPARATION";
    public const string Prete = "PRETE";
    public const string Servie = "SERVIE";
    public const string Annulee = "ANNULEE";

    public static bool IsValid(string? status) => status is EnPreparation or Prete or Servie or Annulee;
}

/// <summary>The Whiz seam (implemented over the VEM/Whiz client of core/Api). Failures throw; the queue retries.</summary>
public interface IWhizClient
{
    Task<WhizOrderCreatedResponse> CreateOrderAsync(PointOfSaleId pointOfSale, WhizOrderRequest order, CancellationToken cancellationToken);

    Task UpdateStatusAsync(PointOfSaleId pointOfSale, string idCommande, string status, CancellationToken cancellationToken);
}
