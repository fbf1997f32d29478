using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.UltralightC;

/// <summary>Opens the channel a <see cref="PassThroughMode"/> names.</summary>
internal static class NativeChannels
{
    public static async Task<INativeChannel> OpenAsync(PassThroughMode mode, IPcscCard card, CancellationToken cancellationToken) => mode switch
    {
        PassThroughMode.PcscTransparent => new TransparentChannel(await TransparentSession.StartAsync(card, cancellationToken).ConfigureAwait(false)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pass-through mode."),
    };
}
