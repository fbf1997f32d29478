using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.Plugins.Sdk.Zdc;

namespace Middleware.Plugins.Desfire;

/// <summary>
/// The read sequence of <c>cards.md</c> §3 on one connected card: UID, SelectApplication, AuthenticateAES through the
/// SAM, enciphered ReadData with EV1 secure messaging, ZDC parse. Throws <see cref="CardReadException"/> for card-side
/// failures; PC/SC, SAM and protocol exceptions pass through for the SDK's base to map.
/// </summary>
internal sealed class DesfireCardReader(IPcscCard connection, ISam sam, ValidatedDesfireSettings settings)
{
    private const int MaxFrames = 32;

    public sealed record Result(ZdcRecord Record, byte[] Uid);

    public async Task<Result> ReadAsync(CancellationToken cancellationToken)
    {
        var uid = await ReadUidAsync(cancellationToken);
        var aid = settings.ApplicationId;

        // 2. SelectApplication, AID LSB first.
        var (_, status) = await CommandAsync(0x5A, new byte[] { (byte)aid, (byte)(aid >> 8), (byte)(aid >> 16) }, "SelectApplication", cancellationToken, selecting: true);
        Expect(status, DesfireStatus.Ok, "SelectApplication");

        // 3. AuthenticateAES with the read key; the SAM runs the cryptography.
        var (challenge, authStatus) = await CommandAsync(0xAA, new byte[] { settings.ReadKeyNumber }, "AuthenticateAES", cancellationToken);
        Expect(authStatus, DesfireStatus.AdditionalFrame, "AuthenticateAES");
        if (challenge.Length != 16)
        {
            throw new CardReadException(CardReadError.CardError, $"AuthenticateAES: the card's challenge is {challenge.Length} bytes, 16 expected (is key {settings.ReadKeyNumber} an AES key?).");
        }

        using var authentication = await sam.BeginAuthenticationAsync(
            new SamKeyReference(SamTechnology.Desfire, settings.SamKeyNumber),
            SamDiversification.ForDesfire(uid, aid),
            challenge,
            cancellationToken);
        var (proof, proofStatus) = await CommandAsync(0xAF, authentication.ReaderResponse, "AuthenticateAES (second step)", cancellationToken);
        Expect(proofStatus, DesfireStatus.Ok, "AuthenticateAES (second step)");
        using var session = await authentication.CompleteAsync(proof, cancellationToken);

        // 5. ReadData file, offset 0, length 29 (little-endian), fully enciphered answer in as many frames as the card sends.
        byte[] header = [settings.FileNumber, 0, 0, 0, ZdcCodec.Length, 0, 0];
        var command = await session.ProtectCommandAsync(0xBD, header, ReadOnlyMemory<byte>.Empty, SecureMessagingMode.Plain, cancellationToken);
        var (first, readStatus) = await CommandAsync(0xBD, command, "ReadData", cancellationToken);
        var answer = new List<byte>(first);
        var frames = 1;
        while (readStatus == DesfireStatus.AdditionalFrame)
        {
            if (++frames > MaxFrames)
            {
                throw new CardReadException(CardReadError.CardError, $"ReadData: the card sent more than {MaxFrames} frames.");
            }

            (var more, readStatus) = await CommandAsync(0xAF, ReadOnlyMemory<byte>.Empty, "ReadData (additional frame)", cancellationToken);
            answer.AddRange(more);
        }

        Expect(readStatus, DesfireStatus.Ok, "ReadData");
        var plain = await session.UnprotectResponseAsync(answer.ToArray(), DesfireStatus.Ok, SecureMessagingMode.Enciphered, ZdcCodec.Length, cancellationToken);
        try
        {
            return new Result(ZdcCodec.Parse(plain), uid);
        }
        finally
        {
            Array.Clear(plain);
        }
    }

    /// <summary>1. The UID from the reader (GET DATA), or else the third frame of GetVersion.</summary>
    private async Task<byte[]> ReadUidAsync(CancellationToken cancellationToken)
    {
        var response = await connection.TransmitAsync(new byte[] { 0xFF, 0xCA, 0x00, 0x00, 0x00 }, cancellationToken);
        if (response.Length < 2)
        {
            throw new CardProtocolException($"GET DATA: the answer is {response.Length} bytes, without a status word.");
        }

        if (response.Length == 9 && response[^2] == 0x90 && response[^1] == 0x00)
        {
            return response[..7];
        }

        if (response.Length == 6 && response[^2] == 0x90 && response[^1] == 0x00)
        {
            throw new CardReadException(CardReadError.CardError, "The card has a 4-byte (random) UID; the Izly DESFire layout needs the 7-byte UID.");
        }

        // The reader does not answer GET DATA: GetVersion's third frame starts with the UID.
        var (_, status) = await CommandAsync(0x60, ReadOnlyMemory<byte>.Empty, "GetVersion", cancellationToken, selecting: true);
        Expect(status, DesfireStatus.AdditionalFrame, "GetVersion");
        (_, status) = await CommandAsync(0xAF, ReadOnlyMemory<byte>.Empty, "GetVersion (frame 2)", cancellationToken);
        Expect(status, DesfireStatus.AdditionalFrame, "GetVersion (frame 2)");
        var (third, last) = await CommandAsync(0xAF, ReadOnlyMemory<byte>.Empty, "GetVersion (frame 3)", cancellationToken);
        Expect(last, DesfireStatus.Ok, "GetVersion (frame 3)");
        if (third.Length < 7)
        {
            throw new CardReadException(CardReadError.CardError, "GetVersion: the third frame is too short to hold the UID.");
        }

        return third[..7];
    }

    /// <summary>Sends <c>90 INS 00 00 [Lc data] 00</c> and returns the data and the DESFire status (SW2 of <c>91 xx</c>).</summary>
    private async Task<(byte[] Data, byte Status)> CommandAsync(byte ins, ReadOnlyMemory<byte> data, string name, CancellationToken cancellationToken, bool selecting = false)
    {
        var apdu = new byte[data.Length == 0 ? 5 : 6 + data.Length];
        apdu[0] = 0x90;
        apdu[1] = ins;
        if (data.Length > 0)
        {
            apdu[4] = (byte)data.Length;
            data.Span.CopyTo(apdu.AsSpan(5));
        }

        var response = await connection.TransmitAsync(apdu, cancellationToken);
        if (response.Length < 2)
        {
            throw new CardProtocolException($"{name}: the card's answer is {response.Length} bytes, without a status word.");
        }

        var sw1 = response[^2];
        var sw2 = response[^1];
        if (sw1 != 0x91)
        {
            // Not a DESFire answer (e.g. 6E 00 class not supported, 6D 00 instruction not supported).
            throw selecting
                ? new CardReadException(CardReadError.NotAnIzlyCard, $"Not an Izly card: the card does not speak DESFire ({name} answered {sw1:X2} {sw2:X2}).")
                : new CardReadException(CardReadError.CardError, $"{name}: unexpected status word {sw1:X2} {sw2:X2}.");
        }

        return (response[..^2], sw2);
    }

    private void Expect(byte status, byte expected, string command)
    {
        if (status != expected)
        {
            throw status == DesfireStatus.Ok || status == DesfireStatus.AdditionalFrame
                ? new CardReadException(CardReadError.CardError, $"{command}: the card answered 91 {status:X2} {DesfireStatus.Name(status)}, 91 {expected:X2} expected.")
                : DesfireStatus.ToException(status, command, settings.ApplicationId, settings.FileNumber);
        }
    }
}
