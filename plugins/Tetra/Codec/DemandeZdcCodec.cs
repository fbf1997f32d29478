using System.Globalization;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Tetra.Codec;

/// <summary>
/// The designed Izly DemandeZDC message (<c>cards.md</c> §7): request <c>ZDC?</c> + till (2 digits) + timeout in seconds
/// (3 digits); answer <c>ZDC=</c> + result (1 digit) + SAM id (16 hex) + application number (14 hex) + idSupport (15
/// digits, zero-padded). The real Cnous message replaces this class alone.
/// </summary>
internal static class DemandeZdcCodec
{
    public const int AnswerLength = 50;
    private const string RequestPrefix = "ZDC?";
    private const string AnswerPrefix = "ZDC=";

    /// <summary>Whole seconds the terminal waits for the card: the read's timeout rounded up, 1 to 999.</summary>
    public static int TimeoutSeconds(TimeSpan timeout)
    {
        var seconds = (int)Math.Ceiling(timeout.TotalSeconds);
        return seconds is >= 1 and <= 999
            ? seconds
            : throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A DemandeZDC waits 1 to 999 s.");
    }

    public static string EncodeRequest(int tillNumber, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tillNumber);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tillNumber, 99);
        return string.Create(CultureInfo.InvariantCulture, $"{RequestPrefix}{tillNumber:D2}{TimeoutSeconds(timeout):D3}");
    }

    /// <summary>The card of a result-0 answer; result 1, 2 or 3 as <see cref="CardReadException"/> (<see cref="CardReadError.Timeout"/>,
    /// <see cref="CardReadError.NotAnIzlyCard"/>, <see cref="CardReadError.SamError"/>); a bad field of a read card as
    /// <see cref="CardReadError.InvalidZdc"/> naming it; an answer that is not a DemandeZDC answer at all as
    /// <see cref="TerminalException"/>. Messages never hold the card number.</summary>
    public static CardIdentity DecodeAnswer(string answer, string terminalName)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Length != AnswerLength)
        {
            throw new TerminalException($"The DemandeZDC answer of {terminalName} has {answer.Length} characters, not {AnswerLength}.");
        }

        if (!answer.StartsWith(AnswerPrefix, StringComparison.Ordinal))
        {
            throw new TerminalException($"{terminalName} answered something other than a DemandeZDC answer (it starts '{Printable(answer[..4])}', not '{AnswerPrefix}').");
        }

        var result = answer[4];
        var sam = answer.Substring(5, 16);
        var application = answer.Substring(21, 14);
        var idSupport = answer.Substring(35, 15);
        if (result != '0')
        {
            var error = result switch
            {
                '1' => (Error: CardReadError.Timeout, Text: "no card was presented before the timeout"),
                '2' => (Error: CardReadError.NotAnIzlyCard, Text: "the card presented is not an Izly card"),
                '3' => (Error: CardReadError.SamError, Text: "the terminal's SAM failed"),
                _ => throw new TerminalException($"The DemandeZDC answer of {terminalName} has an unknown result '{Printable(result.ToString())}' (0 to 3)."),
            };
            if (answer.AsSpan(5).ContainsAnyExcept('0'))
            {
                throw new TerminalException($"The DemandeZDC answer of {terminalName} has result {result} but its fields are not all zeros.");
            }

            throw new CardReadException(error.Error, $"{terminalName}: {error.Text} (DemandeZDC result {result}).");
        }

        if (!IsUpperHex(sam))
        {
            throw Invalid(terminalName, "samId", "16 upper-case hexadecimal digits");
        }

        if (!IsUpperHex(application))
        {
            throw Invalid(terminalName, "numeroApplicatif", "14 upper-case hexadecimal digits");
        }

        if (!idSupport.All(char.IsAsciiDigit))
        {
            throw Invalid(terminalName, "idSupport", "15 decimal digits");
        }

        var number = idSupport.TrimStart('0');
        if (number.Length == 0)
        {
            throw Invalid(terminalName, "idSupport", "a card number above 0");
        }

        return new CardIdentity(number, application, CardTechnology.Tetra, terminalName, sam, Authenticated: true);
    }

    private static CardReadException Invalid(string terminalName, string field, string expected) =>
        new(CardReadError.InvalidZdc, $"{terminalName}: the DemandeZDC answer's {field} is not {expected}.");

    private static bool IsUpperHex(string text) => text.All(c => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F');

    /// <summary>Hostile text quoted in a message: printable ASCII only.</summary>
    internal static string Printable(string text) => string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c : '?'));
}
