using Middleware.Contracts.Readers;

namespace Middleware.Cards.Tests.Integration;

/// <summary>Keeps the card events of the given vpcd readers only: the other reader may belong to another test.</summary>
internal sealed class ReaderEventFilter(IReadOnlyCollection<string> readers, IReaderEventSink inner) : IReaderEventSink
{
    public void CardTapped(CardTapped tapped)
    {
        if (readers.Contains(tapped.Card.ReaderName))
        {
            inner.CardTapped(tapped);
        }
    }

    public void CardReadFailed(CardReadFailed failed)
    {
        if (readers.Contains(failed.ReaderName))
        {
            inner.CardReadFailed(failed);
        }
    }

    public void CardRemoved(CardRemoved removed)
    {
        if (readers.Contains(removed.ReaderName))
        {
            inner.CardRemoved(removed);
        }
    }

    public void ReadersChanged(string pluginId) => inner.ReadersChanged(pluginId);
}
