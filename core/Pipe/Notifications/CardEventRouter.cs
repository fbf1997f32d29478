using Microsoft.Extensions.Logging;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Pipe.Protocol;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Notifications;

/// <summary>Turns reader events into till notifications, sent only to the tills of the points of sale whose
/// configuration lists the reader (design: "a till hears the taps of the readers configured for its point of sale only").</summary>
internal sealed class CardEventRouter(PipeServer server, PointOfSaleDirectory pointsOfSale, ILogger logger) : IReaderEventSink
{
    public void CardTapped(CardTapped tapped)
    {
        var card = tapped.Card;
        Route(card.ReaderName, NotificationNames.CardTapped, new CardTappedNotification(
            card.ReaderName, card.Technology, card.IdSupport, card.NumeroApplicatif, card.Authenticated, card.SamId, card.IssuerCrous, card.CreationDate, tapped.At));
    }

    public void CardReadFailed(CardReadFailed failed)
    {
        var code = CodeFor(failed.Error);
        Route(failed.ReaderName, NotificationNames.CardReadFailed, new CardReadFailedNotification(
            failed.ReaderName, failed.Error, (int)code, ErrorMessages.For(code), failed.Detail, failed.At));
    }

    public void CardRemoved(CardRemoved removed) =>
        Route(removed.ReaderName, NotificationNames.CardRemoved, new CardRemovedNotification(removed.ReaderName, removed.At));

    public void ReadersChanged(string pluginId)
    {
        try
        {
            server.NotifyAll(NotificationNames.ReadersChanged, new ReadersChangedNotification(pluginId));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not route readers.changed");
        }
    }

    /// <summary>The protocol code a till sees for a reader's failure reason.</summary>
    public static ErrorCode CodeFor(CardReadError error) => error switch
    {
        CardReadError.NotAnIzlyCard => ErrorCode.NotAnIzlyCard,
        CardReadError.AuthenticationFailed => ErrorCode.CardAuthenticationFailed,
        CardReadError.CardRemoved => ErrorCode.CardRemoved,
        CardReadError.InvalidZdc => ErrorCode.InvalidCardData,
        CardReadError.CardError => ErrorCode.CardError,
        CardReadError.SamError => ErrorCode.SamError,
        CardReadError.ReaderError => ErrorCode.ReaderUnavailable,
        CardReadError.Timeout => ErrorCode.NoCard,
        _ => ErrorCode.CardError,
    };

    private void Route(string readerName, string method, object payload)
    {
        // Never throw back into the reader plugin: a routing failure is logged and the event dropped.
        try
        {
            var targets = pointsOfSale.PointsOfSaleOf(readerName);
            if (targets.Count == 0)
            {
                logger.LogDebug("{Method} on reader {Reader}: no point of sale lists this reader", method, readerName);
                return;
            }

            server.NotifyPointsOfSale(targets, method, payload);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not route {Method} from reader {Reader}", method, readerName);
        }
    }
}
