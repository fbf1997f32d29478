using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>
/// A PC/SC 2.02 Part 3 transparent session: native frames sent through the reader to a card the reader has no
/// command for (MIFARE Ultralight C authentication). Start with <see cref="StartAsync"/>, exchange with
/// <see cref="ExchangeAsync"/>, dispose to end it (<c>FF C2 00 00 02 82 00</c>).
/// </summary>
/// <remarks>Answers are TLVs: <c>C0</c> the status (3 bytes, <c>90 00</c> in the last two for success), <c>97</c> the
/// card's answer; other objects some readers add (e.g. ACS's <c>92</c>, <c>96</c>) are skipped.</remarks>
public sealed class TransparentSession : IAsyncDisposable
{
    private const byte StatusTag = 0xC0;
    private const byte AnswerTag = 0x97;
    private readonly IPcscCard _card;
    private bool _ended;

    private TransparentSession(IPcscCard card) => _card = card;

    /// <summary><c>FF C2 00 00 02 81 00</c>: starts a session.</summary>
    /// <param name="card">The card.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task<TransparentSession> StartAsync(IPcscCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        await SendAsync(card, [0xFF, 0xC2, 0x00, 0x00, 0x02, 0x81, 0x00], "start transparent session", cancellationToken).ConfigureAwait(false);
        return new TransparentSession(card);
    }

    /// <summary><c>FF C2 00 01 Lc 95 len frame</c>: sends one native frame and returns the card's answer.</summary>
    /// <param name="frame">The native frame (at most 250 bytes).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<byte[]> ExchangeAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        if (frame.Length is 0 or > 250)
        {
            throw new ArgumentException("A native frame has 1 to 250 bytes.", nameof(frame));
        }

        var apdu = new byte[7 + frame.Length];
        apdu[0] = 0xFF;
        apdu[1] = 0xC2;
        apdu[3] = 0x01;
        apdu[4] = (byte)(2 + frame.Length);
        apdu[5] = 0x95;
        apdu[6] = (byte)frame.Length;
        frame.Span.CopyTo(apdu.AsSpan(7));
        var objects = await SendAsync(_card, apdu, "transparent exchange", cancellationToken).ConfigureAwait(false);
        return objects.TryGetValue(AnswerTag, out var answer)
            ? answer
            : throw new CardProtocolException("Transparent exchange: the reader's answer has no card response (tag 97).");
    }

    /// <summary>Ends the session (best effort: the card may already be gone).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        try
        {
            await SendAsync(_card, [0xFF, 0xC2, 0x00, 0x00, 0x02, 0x82, 0x00], "end transparent session", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CardProtocolException or SmartCardException)
        {
            // The card left or the reader dropped the session: nothing is left to end.
        }
    }

    /// <summary>Reads the TLV objects of a transparent-session answer; throws on a malformed list or a failed status.</summary>
    /// <param name="data">The answer's data (without its status word).</param>
    /// <param name="what">The command, for messages.</param>
    public static Dictionary<byte, byte[]> ParseObjects(ReadOnlySpan<byte> data, string what)
    {
        var objects = new Dictionary<byte, byte[]>();
        var i = 0;
        while (i < data.Length)
        {
            if (i + 2 > data.Length)
            {
                throw new CardProtocolException($"{what}: a TLV object is cut short.");
            }

            var tag = data[i];
            var length = data[i + 1];
            if (length == 0x81)
            {
                // One-byte extended length.
                if (i + 3 > data.Length)
                {
                    throw new CardProtocolException($"{what}: a TLV length is cut short.");
                }

                length = data[i + 2];
                i++;
            }
            else if (length > 0x7F)
            {
                throw new CardProtocolException($"{what}: TLV length form 0x{length:X2} is not supported.");
            }

            if (i + 2 + length > data.Length)
            {
                throw new CardProtocolException($"{what}: TLV object {tag:X2} claims {length} bytes, {data.Length - i - 2} are left.");
            }

            objects[tag] = data.Slice(i + 2, length).ToArray();
            i += 2 + length;
        }

        if (objects.TryGetValue(StatusTag, out var status) && (status.Length != 3 || status[1] != 0x90 || status[2] != 0x00))
        {
            throw new CardProtocolException($"{what}: the reader reports status {Convert.ToHexString(status)}.");
        }

        return objects;
    }

    private static async Task<Dictionary<byte, byte[]>> SendAsync(IPcscCard card, byte[] apdu, string what, CancellationToken cancellationToken)
    {
        var response = ApduResponse.Parse(await card.TransmitAsync(apdu, cancellationToken).ConfigureAwait(false));
        var data = response.Expect(what);
        return ParseObjects(data.Span, what);
    }
}
