using System.Collections.Concurrent;
using Middleware.Contracts.Readers;

namespace Middleware.Payments.Sales;

/// <summary>
/// The last card read on each reader, until it is removed: a sale identifies "the card on the till's reader"
/// without the till handling card data itself.
/// </summary>
public sealed class RecentTaps : IReaderEventSink
{
    private readonly ConcurrentDictionary<string, CardTapped> _taps = new(StringComparer.Ordinal);

    public void CardTapped(CardTapped tapped)
    {
        ArgumentNullException.ThrowIfNull(tapped);
        _taps[tapped.Card.ReaderName] = tapped;
    }

    public void CardReadFailed(CardReadFailed failed)
    {
        ArgumentNullException.ThrowIfNull(failed);
        _taps.TryRemove(failed.ReaderName, out _);
    }

    public void CardRemoved(CardRemoved removed)
    {
        // Keep the tap: customers lift their card before the cashier presses "pay"; validity bounds its use.
    }

    public void ReadersChanged(string pluginId)
    {
    }

    /// <summary>The newest tap among <paramref name="readers"/> not older than <paramref name="validity"/>.</summary>
    public CardTapped? Latest(IEnumerable<string> readers, DateTimeOffset now, TimeSpan validity) =>
        readers.Select(r => _taps.TryGetValue(r, out var t) ? t : null)
            .Where(t => t is not null && now - t.At <= validity)
            .MaxBy(t => t!.At);

    /// <summary>Forgets the tap once a sale used it, so the next customer must tap again.</summary>
    public void Consume(CardTapped tapped)
    {
        ArgumentNullException.ThrowIfNull(tapped);
        _taps.TryRemove(new KeyValuePair<string, CardTapped>(tapped.Card.ReaderName, tapped));
    }
}
