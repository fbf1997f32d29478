using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.Plugins.Sdk.Zdc;

namespace Middleware.Plugins.Calypso;

/// <summary>
/// The read sequence of <c>cards.md</c> §6 on one connected card, without a SAM: SELECT by AID then READ RECORD with
/// CLA 00 (Rev2/3), or READ RECORD with CLA 94 and no select (Rev1, or when the card refuses the select's class or
/// instruction). Every answer is checked before use; failures are <see cref="CardReadException"/> naming the step.
/// </summary>
internal sealed class CalypsoCardReader(IPcscCard connection, ValidatedCalypsoSettings settings)
{
    private const byte Rev1Class = 0x94;
    private const byte IsoClass = 0x00;

    public sealed record Result(ZdcRecord Record, CalypsoRevision Revision);

    public async Task<Result> ReadAsync(CalypsoRevision revision, CancellationToken cancellationToken)
    {
        if (revision == CalypsoRevision.Rev1)
        {
            return new Result(await ReadRecordAsync(Rev1Class, cancellationToken), CalypsoRevision.Rev1);
        }

        var select = await SendAsync(SelectApdu(), "SELECT", cancellationToken);
        switch (select.StatusWord)
        {
            case 0x9000:
            case >= 0x6100 and <= 0x61FF: // FCI waiting: the select worked; the plugin needs no FCI.
                return new Result(await ReadRecordAsync(IsoClass, cancellationToken), CalypsoRevision.Rev3);
            case 0x6E00:
            case 0x6D00:
                // A Rev1 card knows neither class 00 nor SELECT by AID (cards.md §6).
                return new Result(await ReadRecordAsync(Rev1Class, cancellationToken), CalypsoRevision.Rev1);
            case 0x6A82:
                throw new CardReadException(CardReadError.NotAnIzlyCard, "Not an Izly card: the card has no Izly application (SELECT answered 6A 82).");
            default:
                throw new CardReadException(CardReadError.CardError, $"SELECT: unexpected status word {Sw(select.StatusWord)}.");
        }
    }

    private byte[] SelectApdu() =>
        [0x00, 0xA4, 0x04, 0x00, (byte)settings.ApplicationId.Length, .. settings.ApplicationId, 0x00];

    private async Task<ZdcRecord> ReadRecordAsync(byte cla, CancellationToken cancellationToken)
    {
        var step = cla == Rev1Class ? "READ RECORD (CLA 94)" : "READ RECORD";
        byte[] apdu = [cla, 0xB2, settings.RecordNumber, (byte)((settings.Sfi << 3) | 0x04), ZdcCodec.Length];
        var answer = await SendAsync(apdu, step, cancellationToken);
        switch (answer.StatusWord)
        {
            case 0x9000:
                break;
            case 0x6A83:
                throw new CardReadException(CardReadError.NotAnIzlyCard, $"Not an Izly card: no record {settings.RecordNumber} in SFI {settings.Sfi:X2} ({step} answered 6A 83).");
            case 0x6A82:
                throw new CardReadException(CardReadError.NotAnIzlyCard, $"Not an Izly card: no file with SFI {settings.Sfi:X2} ({step} answered 6A 82).");
            case 0x6E00:
            case 0x6D00:
                throw new CardReadException(CardReadError.NotAnIzlyCard, $"Not an Izly card: the card does not speak Calypso ({step} answered {Sw(answer.StatusWord)}).");
            case 0x6982:
                throw new CardReadException(CardReadError.CardError, $"{step}: the card requires a secure session to read the record (69 82).");
            default:
                throw new CardReadException(CardReadError.CardError, $"{step}: unexpected status word {Sw(answer.StatusWord)}.");
        }

        var data = answer.Data.ToArray();
        try
        {
            if (data.Length != ZdcCodec.Length)
            {
                throw new CardReadException(CardReadError.InvalidZdc, $"{step}: the record is {data.Length} bytes, {ZdcCodec.Length} expected.");
            }

            return ZdcCodec.Parse(data);
        }
        finally
        {
            Array.Clear(data);
        }
    }

    private async Task<ApduResponse> SendAsync(byte[] apdu, string step, CancellationToken cancellationToken)
    {
        var response = await connection.TransmitAsync(apdu, cancellationToken);

        // A reader's transmit may not be cancellable: an answer that comes after the read's budget is a timeout.
        cancellationToken.ThrowIfCancellationRequested();
        if (response.Length < 2)
        {
            throw new CardProtocolException($"{step}: the card's answer is {response.Length} byte(s), without a status word.");
        }

        return ApduResponse.Parse(response);
    }

    private static string Sw(ushort statusWord) => $"{statusWord >> 8:X2} {statusWord & 0xFF:X2}";
}
