using Middleware.Contracts.Readers;

namespace Middleware.Cards.Tests.Integration;

/// <summary>Keeps the first vpcd reader's card events only: the other reader belongs to another test.</summary>
internal sealed class FirstReaderOnly(IReaderEventSink inner) : IReaderEventSink
{
    public void CardTapped(CardTapped tapped)
    {
        if (tapped.Card.ReaderName == PcscFixture.FirstReader)
        {
            inner.CardTapped(tapped);
        }
    }

    public void CardReadFailed(CardReadFailed failed)
    {
        if (failed.ReaderName == PcscFixture.FirstReader)
        {
            inner.CardReadFailed(failed);
        }
    }

    public void CardRemoved(CardRemoved removed)
    {
        if (removed.ReaderName == PcscFixture.FirstReader)
        {
            inner.CardRemoved(removed);
        }
    }

    public void ReadersChanged(string pluginId) => inner.ReadersChanged(pluginId);
}
