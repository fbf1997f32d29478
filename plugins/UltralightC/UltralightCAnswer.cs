using Middleware.Contracts.Readers;

namespace Middleware.Plugins.UltralightC;

/// <summary>Checks a native Ultralight C answer: a 1-byte answer is an ACK/NAK (a NAK is 0x0, 0x1, 0x4 or 0x5, the
/// 4-bit code some readers pass as a byte), anything else must have the expected length and first byte.</summary>
internal static class UltralightCAnswer
{
    public static bool IsNak(byte[] answer) => answer.Length == 1 && answer[0] is 0x0 or 0x1 or 0x4 or 0x5;

    public static string NakName(byte nak) => nak switch
    {
        0x0 => "NAK 0x0 invalid argument",
        0x1 => "NAK 0x1 parity or CRC error",
        0x4 => "NAK 0x4 authentication counter overflow",
        0x5 => "NAK 0x5 EEPROM write error",
        _ => $"NAK 0x{nak:X}",
    };

    /// <summary>Throws a <see cref="CardReadException"/> naming <paramref name="step"/> unless the answer has
    /// <paramref name="length"/> bytes (and starts with <paramref name="first"/> when given).</summary>
    public static void Expect(byte[] answer, int length, byte? first, string step, CardReadError nakError = CardReadError.CardError)
    {
        if (IsNak(answer))
        {
            throw new CardReadException(nakError, $"{step}: the card answered {NakName(answer[0])}.");
        }

        if (answer.Length != length)
        {
            throw new CardReadException(CardReadError.CardError, $"{step}: the card's answer is {answer.Length} bytes, {length} expected.");
        }

        if (first is { } f && answer[0] != f)
        {
            throw new CardReadException(CardReadError.CardError, $"{step}: the card's answer starts with {answer[0]:X2}, {f:X2} expected.");
        }
    }
}
