using Microsoft.Extensions.Logging;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Vem;

/// <summary>The VEM client's per-sale log line, source-generated: nothing is boxed or formatted when the level is off.</summary>
internal static partial class VemLog
{
    [LoggerMessage(EventId = 1, Message = "VEM ticket {IdTicketEntete} for {PointOfSale}: {Outcome} ({Status}) {ErrorCode} {Detail}")]
    public static partial void TicketSent(ILogger logger, LogLevel level, string idTicketEntete, PointOfSaleId pointOfSale, TicketUploadOutcome outcome, string status, string? errorCode, string? detail);
}
