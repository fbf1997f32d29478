using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.UltralightC;

/// <summary>Native frames to the card through the reader; one per pass-through mode, so a reader that works
/// differently only needs another implementation.</summary>
internal interface INativeChannel : IAsyncDisposable
{
    /// <summary>Sends <paramref name="frame"/> and returns the card's raw answer (any length, unchecked).</summary>
    Task<byte[]> ExchangeAsync(byte[] frame, CancellationToken cancellationToken);
}

/// <summary>Opens the channel a <see cref="PassThroughMode"/> names.</summary>
internal static class NativeChannels
{
    public static async Task<INativeChannel> OpenAsync(PassThroughMode mode, IPcscCard card, CancellationToken cancellationToken) => mode switch
    {
        PassThroughMode.PcscTransparent => new TransparentChannel(await TransparentSession.StartAsync(card, cancellationToken).ConfigureAwait(false)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pass-through mode."),
    };

    private sealed class TransparentChannel(TransparentSession session) : INativeChannel
    {
        public Task<byte[]> ExchangeAsync(byte[] frame, CancellationToken cancellationToken) => session.ExchangeAsync(frame, cancellationToken);

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
