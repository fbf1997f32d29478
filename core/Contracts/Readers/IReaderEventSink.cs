namespace Middleware.Contracts.Readers;

/// <summary>
/// Where card events go: the host routes them to the tills of the point of sale each reader is configured for. The
/// host's PC/SC watcher reports the taps it reads through card plugins; a terminal plugin
/// (<c>GetService&lt;IReaderEventSink&gt;()</c>) reports its terminals coming and going. Implemented by the host: calls
/// never throw and return quickly.
/// </summary>
public interface IReaderEventSink
{
    /// <summary>A card was read.</summary>
    void CardTapped(CardTapped tapped);

    /// <summary>A card was presented but could not be read.</summary>
    void CardReadFailed(CardReadFailed failed);

    /// <summary>A card left its reader.</summary>
    void CardRemoved(CardRemoved removed);

    /// <summary>The set of readers or their state changed (plugged, unplugged, service lost or back).</summary>
    void ReadersChanged(string pluginId);
}
