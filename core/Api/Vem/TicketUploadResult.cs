using Middleware.Api.Http;

namespace Middleware.Api.Vem;

/// <summary>What happened to an uploaded ticket (crous-izly-api.md §4).</summary>
public enum TicketUploadOutcome
{
    /// <summary>201: VEM integrated it now.</summary>
    Integrated,

    /// <summary>200: VEM already had this <c>idTicketEntete</c>; nothing new was recorded (harmless).</summary>
    Duplicate,

    /// <summary>422 (or another 4xx): VEM refuses the ticket; sending it again will not help. See <see cref="TicketUploadResult.Error"/>.</summary>
    Rejected,

    /// <summary>No answer, timeout, 5xx, or authentication refused: try again later with the same ticket.</summary>
    TransientFailure,
}

/// <summary>The typed answer to a ticket upload. Switch on <see cref="Outcome"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="IdTicketEntete">The ticket sent.</param>
/// <param name="Statut">VEM's <c>statut</c> (e.g. <c>INTEGRE</c>) when accepted.</param>
/// <param name="Error">The refusal (<c>code</c>, <c>message</c> naming the rule and line) when <see cref="TicketUploadOutcome.Rejected"/>.</param>
/// <param name="HttpStatus">The HTTP status, when one came back.</param>
/// <param name="Detail">For logs and support: why a transient failure happened.</param>
public sealed record TicketUploadResult(
    TicketUploadOutcome Outcome,
    string IdTicketEntete,
    string? Statut,
    ApiError? Error,
    int? HttpStatus,
    string? Detail)
{
    /// <summary>True when VEM has the ticket (integrated now or before).</summary>
    public bool IsAccepted => Outcome is TicketUploadOutcome.Integrated or TicketUploadOutcome.Duplicate;

    internal static TicketUploadResult Integrated(string id, string? statut) => new(TicketUploadOutcome.Integrated, id, statut, null, 201, null);

    internal static TicketUploadResult Duplicate(string id, string? statut) => new(TicketUploadOutcome.Duplicate, id, statut, null, 200, null);

    internal static TicketUploadResult Rejected(string id, ApiError error, int status) => new(TicketUploadOutcome.Rejected, id, null, error, status, error.Message);

    internal static TicketUploadResult Transient(string id, string detail, int? status) => new(TicketUploadOutcome.TransientFailure, id, null, null, status, detail);
}
