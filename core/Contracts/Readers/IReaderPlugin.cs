namespace Middleware.Contracts.Readers;

/// <summary>
/// A plugin that reads Izly cards on one kind of reader (PC/SC DESFire, Classic, Ultralight C, Calypso, Tetra).
/// </summary>
/// <remarks>
/// The plugin watches its readers from <see cref="Plugins.IPlugin.StartAsync"/> on and reports every tap,
/// failed read and removal to the <see cref="IReaderEventSink"/> it gets from the context
/// (<c>GetService&lt;IReaderEventSink&gt;()</c>). The host routes those events to the tills of the point of
/// sale that each reader is configured for. Hardware access goes through host services
/// (PC/SC, SAM and serial services of the host), never native code in the plugin.
/// </remarks>
public interface IReaderPlugin : Plugins.IPlugin
{
    /// <summary>The readers this plugin currently offers, with their state. Cheap: no I/O.</summary>
    IReadOnlyList<ReaderDescriptor> GetReaders();

    /// <summary>
    /// Reads the card on <paramref name="readerName"/> now (or waits for one until cancelled).
    /// Throws <see cref="CardReadException"/> with a stable error when the card cannot be read.
    /// </summary>
    Task<CardIdentity> ReadCardAsync(string readerName, CancellationToken cancellationToken);
}

/// <summary>Where reader plugins report card events. Implemented by the host; calls never throw and return quickly.</summary>
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
