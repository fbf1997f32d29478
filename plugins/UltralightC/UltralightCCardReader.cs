using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.Plugins.Sdk.Zdc;

namespace Middleware.Plugins.UltralightC;

/// <summary>
/// The read sequence of <c>cards.md</c> §5 on one connected card: UID, then in ONE pass-through session the 2K3DES
/// mutual authentication run by the SAM (key diversified with the UID, §2) and the native reads of pages 4..11, then the
/// ZDC parse. Throws <see cref="CardReadException"/> for card-side failures; PC/SC, SAM and protocol exceptions pass
/// through for the SDK's base to map (a wrong proof from the card is the SAM's AuthenticationFailed).
/// </summary>
internal sealed class UltralightCCardReader(IPcscCard connection, ISam sam, ValidatedUltralightCSettings settings)
{
    public const int FirstPage = 4;
    public const int PageCount = 8;
    private const int PagesPerRead = 4;
    private const int PageSize = 4;

    public sealed record Result(ZdcRecord Record, byte[] Uid);

    public async Task<Result> ReadAsync(CancellationToken cancellationToken)
    {
        var uid = await connection.GetUidAsync(cancellationToken).ConfigureAwait(false);
        if (uid.Length != 7)
        {
            throw new CardReadException(CardReadError.CardError, $"GET DATA (UID): the UID is {uid.Length} bytes, an Ultralight C has 7.");
        }

        var data = new byte[PageCount * PageSize];
        try
        {
            await using (var channel = await NativeChannels.OpenAsync(settings.PassThroughFor(connection.ReaderName), connection, cancellationToken).ConfigureAwait(false))
            {
                await AuthenticateAsync(channel, uid, cancellationToken).ConfigureAwait(false);
                for (var page = FirstPage; page < FirstPage + PageCount; page += PagesPerRead)
                {
                    var step = $"READ page {page}";
                    var answer = await channel.ExchangeAsync([0x30, (byte)page], cancellationToken).ConfigureAwait(false);
                    UltralightCAnswer.Expect(answer, PagesPerRead * PageSize, null, step);
                    answer.CopyTo(data, (page - FirstPage) * PageSize);
                }
            }

            // Layout: the record, then zero bytes up to the end of page 11.
            for (var i = ZdcCodec.Length; i < data.Length; i++)
            {
                if (data[i] != 0)
                {
                    throw new CardReadException(CardReadError.InvalidZdc, $"Pages {FirstPage}..{FirstPage + PageCount - 1}: byte {i} after the record is {data[i]:X2}, 00 expected.");
                }
            }

            return new Result(ZdcCodec.Parse(data.AsSpan(0, ZdcCodec.Length)), uid);
        }
        finally
        {
            Array.Clear(data);
        }
    }

    /// <summary><c>1A 00</c> → <c>AF ek(RndB)</c>; <c>AF E(RndA ‖ rotl(RndB))</c> → <c>00 ek(rotl(RndA))</c>, the SAM
    /// holding the key and checking RndA.</summary>
    private async Task AuthenticateAsync(INativeChannel channel, byte[] uid, CancellationToken cancellationToken)
    {
        const string first = "AUTHENTICATE (1A)";
        const string second = "AUTHENTICATE (AF, second step)";
        var challenge = await channel.ExchangeAsync([0x1A, 0x00], cancellationToken).ConfigureAwait(false);
        UltralightCAnswer.Expect(challenge, 9, 0xAF, first);

        using var authentication = await sam.BeginAuthenticationAsync(
            new SamKeyReference(SamTechnology.UltralightC, settings.SamKeyNumber),
            SamDiversification.ForUltralightC(uid),
            challenge.AsMemory(1),
            cancellationToken).ConfigureAwait(false);
        byte[] frame = [0xAF, .. authentication.ReaderResponse.Span];
        var proof = await channel.ExchangeAsync(frame, cancellationToken).ConfigureAwait(false);

        // A genuine card NAKs the reader's answer when its key differs: RndB did not come back rotated.
        UltralightCAnswer.Expect(proof, 9, 0x00, second, CardReadError.AuthenticationFailed);
        using var session = await authentication.CompleteAsync(proof.AsMemory(1), cancellationToken).ConfigureAwait(false);
    }
}
