using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.UltralightC;

/// <summary>The PC/SC 2.02 Part 3 transparent session as a native channel (the SDK parses its TLVs).</summary>
internal sealed class TransparentChannel(TransparentSession session) : INativeChannel
{
    public Task<byte[]> ExchangeAsync(byte[] frame, CancellationToken cancellationToken) => session.ExchangeAsync(frame, cancellationToken);

    public ValueTask DisposeAsync() => session.DisposeAsync();
}
