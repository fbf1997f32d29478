namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>A response APDU split into its data and its status word.</summary>
/// <param name="Data">The data bytes (may be empty).</param>
/// <param name="StatusWord">SW1 SW2 as one number, e.g. <c>0x9000</c>.</param>
public readonly record struct ApduResponse(ReadOnlyMemory<byte> Data, ushort StatusWord)
{
    /// <summary>True for <c>90 00</c>.</summary>
    public bool IsSuccess => StatusWord == 0x9000;

    /// <summary>Splits <paramref name="response"/>; throws <see cref="CardProtocolException"/> when it has no status word.</summary>
    /// <param name="response">The full response APDU.</param>
    public static ApduResponse Parse(ReadOnlyMemory<byte> response)
    {
        if (response.Length < 2)
        {
            throw new CardProtocolException($"The card answered {response.Length} byte(s): a response APDU has at least its two status bytes.");
        }

        var span = response.Span;
        return new ApduResponse(response[..^2], (ushort)((span[^2] << 8) | span[^1]));
    }

    /// <summary>The data when the status is <c>90 00</c>; else throws <see cref="CardProtocolException"/> naming <paramref name="command"/>.</summary>
    /// <param name="command">The command's name, for the message.</param>
    public ReadOnlyMemory<byte> Expect(string command) =>
        IsSuccess ? Data : throw new CardProtocolException($"{command}: the card answered status {StatusWord:X4}.");
}
