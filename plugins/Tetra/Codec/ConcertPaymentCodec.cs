using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Tetra.Codec;

/// <summary>
/// Concert E+ card payments (<c>cards.md</c> §7): request of 34 characters (till 2, amount in cents 8, answer flag 1,
/// mode 1, type 1, currency 3, private data 10, delay 4, authorisation 4); short answer of 25 (till 2, result 1,
/// amount 8, mode 1, currency 3, private data 10); the full answer inserts a 55-character report after the mode.
/// </summary>
internal static partial class ConcertPaymentCodec
{
    public const int RequestLength = 34;
    public const int ShortAnswerLength = 25;
    public const int ReportLength = 55;
    public const int FullAnswerLength = ShortAnswerLength + ReportLength;
    public const int PrivateDataLength = 10;
    public const long MaxAmountCents = 99_999_999;
    private const string Euro = "978";
    private const char CardMode = '1';
    private const string Delay = "A010";
    private const string Authorisation = "B010";

    public static string EncodeRequest(ConcertPaymentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.TillNumber);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.TillNumber, 99);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.AmountCents);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.AmountCents, MaxAmountCents);
        if (request.PrivateData.Length != PrivateDataLength || request.PrivateData.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"Private data is {PrivateDataLength} printable ASCII characters.", nameof(request));
        }

        var type = request.Type == ConcertTransactionType.Credit ? '1' : '0';
        var flag = request.FullAnswer ? '1' : '0';
        return string.Create(CultureInfo.InvariantCulture,
            $"{request.TillNumber:D2}{request.AmountCents:D8}{flag}{CardMode}{type}{Euro}{request.PrivateData}{Delay}{Authorisation}");
    }

    /// <summary>The private data for a till's reference: its last 10 letters and digits, padded with spaces (the
    /// field is printable ASCII; anything else in the reference is left out).</summary>
    public static string PrivateDataFor(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var kept = new StringBuilder();
        foreach (var c in reference)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                kept.Append(c);
            }
        }

        var text = kept.ToString();
        return (text.Length > PrivateDataLength ? text[^PrivateDataLength..] : text).PadRight(PrivateDataLength);
    }

    /// <summary>Checks the answer against <paramref name="sent"/>; anything wrong is a <see cref="TerminalException"/>
    /// naming the field.</summary>
    public static ConcertPaymentAnswer DecodeAnswer(string answer, ConcertPaymentRequest sent, string terminalName)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(sent);
        if (answer.Length is not (ShortAnswerLength or FullAnswerLength))
        {
            throw Bad(terminalName, $"has {answer.Length} characters, not {ShortAnswerLength} (short) or {FullAnswerLength} (full)");
        }

        var full = answer.Length == FullAnswerLength;
        var till = answer[..2];
        var result = answer[2];
        var amount = answer.Substring(3, 8);
        var mode = answer[11];
        var report = full ? answer.Substring(12, ReportLength) : null;
        var tail = full ? 12 + ReportLength : 12;
        var currency = answer.Substring(tail, 3);
        var privateData = answer.Substring(tail + 3, PrivateDataLength);
        if (!till.All(char.IsAsciiDigit) || int.Parse(till, CultureInfo.InvariantCulture) != sent.TillNumber)
        {
            throw Bad(terminalName, $"is for till '{DemandeZdcCodec.Printable(till)}', not {sent.TillNumber:D2}");
        }

        var outcome = result switch
        {
            '0' => TerminalPaymentOutcome.Accepted,
            '7' => TerminalPaymentOutcome.Refused,
            '9' => TerminalPaymentOutcome.NotCompleted,
            _ => throw Bad(terminalName, $"has an unknown result '{DemandeZdcCodec.Printable(result.ToString())}' (0, 7 or 9)"),
        };
        if (!amount.All(char.IsAsciiDigit))
        {
            throw Bad(terminalName, "has an amount that is not 8 digits");
        }

        var cents = long.Parse(amount, CultureInfo.InvariantCulture);
        if (outcome == TerminalPaymentOutcome.Accepted && cents != sent.AmountCents)
        {
            throw Bad(terminalName, $"accepts {cents} cents where {sent.AmountCents} were asked");
        }

        if (!char.IsAsciiDigit(mode))
        {
            throw Bad(terminalName, "has a payment mode that is not a digit");
        }

        if (currency != Euro)
        {
            throw Bad(terminalName, $"has currency '{DemandeZdcCodec.Printable(currency)}', not {Euro}");
        }

        if (privateData != sent.PrivateData)
        {
            throw Bad(terminalName, "echoes other private data: it answers another request");
        }

        if (report is not null && report.Any(c => c is < ' ' or > '~'))
        {
            throw Bad(terminalName, "has a report that is not printable ASCII");
        }

        return new ConcertPaymentAnswer(outcome, cents, mode, report is null ? null : MaskReport(report));
    }

    /// <summary>The report without card numbers: every run of 8 digits or more keeps its last 4 only.</summary>
    public static string? MaskReport(string report)
    {
        var trimmed = report.TrimEnd();
        return trimmed.Length == 0 ? null : LongDigitRun().Replace(trimmed, m => MaskAllButLastFourDigits(m.Value));
    }

    public static decimal ToEuros(long cents) => cents / 100m;

    public static long ToCents(decimal euros) => decimal.Round(euros, 2) == euros && euros > 0 && euros * 100 <= MaxAmountCents
        ? (long)(euros * 100)
        : throw new ArgumentOutOfRangeException(nameof(euros), euros, $"A Concert amount is 0.01 to {MaxAmountCents / 100m:0.00} euros with two decimals at most.");

    private static TerminalException Bad(string terminalName, string what) =>
        new($"The payment answer of {terminalName} {what}.");

    // 8 digits or more written together, or a card number grouped by four with spaces or dashes ("4970 1012 3456 7890").
    [GeneratedRegex("[0-9]{4}(?:[ -][0-9]{4}){2,3}|[0-9]{8,}")]
    private static partial Regex LongDigitRun();

    private static string MaskAllButLastFourDigits(string run)
    {
        var chars = run.ToCharArray();
        var digitsLeft = chars.Count(char.IsAsciiDigit);
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsAsciiDigit(chars[i]) && digitsLeft-- > 4)
            {
                chars[i] = '*';
            }
        }

        return new string(chars);
    }
}
