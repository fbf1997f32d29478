using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;

namespace Middleware.Tickets.Sending;

/// <summary>What VEM did with an upload.</summary>
public enum TicketUploadStatus
{
    /// <summary>Integrated now (201).</summary>
    Integrated,

    /// <summary>VEM already had this idTicketEntete (200): harmless.</summary>
    Duplicate,

    /// <summary>Refused (422): resending the same ticket will not help; it goes to the dead letters.</summary>
    Rejected,

    /// <summary>No answer, timeout, 5xx, auth: retry later with backoff.</summary>
    TransientFailure,
}

/// <summary>The answer of an upload.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Code">VEM's error code when rejected (e.g. <c>-70</c>).</param>
/// <param name="Message">VEM's message (rejection) or the failure detail (transient).</param>
public sealed record TicketUploadResponse(TicketUploadStatus Status, string? Code = null, string? Message = null)
{
    public static TicketUploadResponse Integrated { get; } = new(TicketUploadStatus.Integrated);
    public static TicketUploadResponse Duplicate { get; } = new(TicketUploadStatus.Duplicate);
    public static TicketUploadResponse Rejected(string? code, string? message) => new(TicketUploadStatus.Rejected, code, message);
    public static TicketUploadResponse Transient(string? detail) => new(TicketUploadStatus.TransientFailure, null, detail);
    public bool IsAccepted => Status is TicketUploadStatus.Integrated or TicketUploadStatus.Duplicate;
}

/// <summary>
/// The VEM upload seam (crous-izly-api.md §4). Implemented over the VEM client of core/Api. Must not throw for HTTP or
/// network failures (a throw is treated as a transient failure anyway).
/// </summary>
public interface ITicketUploader
{
    /// <param name="pointOfSale">The point of sale (path and installation key).</param>
    /// <param name="ticket">The ticket, sent as-is.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <param name="onlineOrder">Sent with <c>versCommandeEnLigne=1</c> (IzlyPay and online orders).</param>
    Task<TicketUploadResponse> UploadAsync(PointOfSaleId pointOfSale, VemTicket ticket, bool onlineOrder, CancellationToken cancellationToken);
}
