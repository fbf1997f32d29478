namespace Middleware.Plugins.UltralightC;

/// <summary>Native frames to the card through the reader; one per pass-through mode, so a reader that works
/// differently only needs another implementation.</summary>
internal interface INativeChannel : IAsyncDisposable
{
    /// <summary>Sends <paramref name="frame"/> and returns the card's raw answer (any length, unchecked).</summary>
    Task<byte[]> ExchangeAsync(byte[] frame, CancellationToken cancellationToken);
}
