using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Readers;

namespace Middleware.PluginHost;

/// <summary>
/// The host's <see cref="IReaderEventSink"/>: reader plugins report card events here and every subscriber
/// (the pipe server, tests) gets them. A subscriber that throws is logged and the others still get the event.
/// </summary>
public sealed class CardEventHub : IReaderEventSink, ICardEventSource
{
    private readonly ILogger<CardEventHub> _logger;
    private ImmutableArray<IReaderEventSink> _observers = [];

    public CardEventHub(ILogger<CardEventHub> logger) => _logger = logger;

    /// <inheritdoc />
    public IDisposable Subscribe(IReaderEventSink observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ImmutableInterlocked.Update(ref _observers, static (list, o) => list.Add(o), observer);
        return new Subscription(this, observer);
    }

    /// <inheritdoc />
    public void CardTapped(CardTapped tapped)
    {
        Readers.CardReadMetrics.Read(tapped);
        Publish(nameof(CardTapped), o => o.CardTapped(tapped));
    }

    /// <inheritdoc />
    public void CardReadFailed(CardReadFailed failed)
    {
        Readers.CardReadMetrics.Failed(failed);
        Publish(nameof(CardReadFailed), o => o.CardReadFailed(failed));
    }

    /// <inheritdoc />
    public void CardRemoved(CardRemoved removed) => Publish(nameof(CardRemoved), o => o.CardRemoved(removed));

    /// <inheritdoc />
    public void ReadersChanged(string pluginId) => Publish(nameof(ReadersChanged), o => o.ReadersChanged(pluginId));

    private void Publish(string kind, Action<IReaderEventSink> deliver)
    {
        foreach (var observer in _observers)
        {
            try
            {
                deliver(observer);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Card event observer {Observer} threw on {EventKind}", observer.GetType().Name, kind);
            }
        }
    }

    private sealed class Subscription(CardEventHub hub, IReaderEventSink observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                ImmutableInterlocked.Update(ref hub._observers, static (list, o) => list.Remove(o), observer);
            }
        }
    }
}

/// <summary>The sink one plugin instance gets: forwards to the hub until the instance stops, and never throws.</summary>
internal sealed class PluginEventSink(IReaderEventSink target, string pluginId, ILogger logger) : IReaderEventSink
{
    private volatile bool _closed;

    public void Close() => _closed = true;

    public void CardTapped(CardTapped tapped) => Forward(t => t.CardTapped(tapped));

    public void CardReadFailed(CardReadFailed failed) => Forward(t => t.CardReadFailed(failed));

    public void CardRemoved(CardRemoved removed) => Forward(t => t.CardRemoved(removed));

    public void ReadersChanged(string pluginId1) => Forward(t => t.ReadersChanged(pluginId1));

    private void Forward(Action<IReaderEventSink> deliver)
    {
        if (_closed)
        {
            // A stopped instance must not speak for the plugin any more (its successor does).
            logger.LogDebug("Dropped a card event from a stopped instance of {PluginId}", pluginId);
            return;
        }

        try
        {
            deliver(target);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Card event of {PluginId} could not be delivered", pluginId);
        }
    }
}
