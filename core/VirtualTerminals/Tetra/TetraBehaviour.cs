namespace Middleware.VirtualTerminals.Tetra;

/// <summary>The simulated terminal's behaviour; switch it with <see cref="TetraSimulator.SetBehaviour"/>.</summary>
public sealed record TetraBehaviour
{
    /// <summary>The DemandeZDC result. Default: a card is present.</summary>
    public TetraCardBehaviour Card { get; init; } = TetraCardBehaviour.CardPresent;

    /// <summary>The payment result. Default: accepted.</summary>
    public TetraPaymentBehaviour Payment { get; init; } = TetraPaymentBehaviour.Accepted;

    /// <summary>The line. Default: normal.</summary>
    public TetraLineBehaviour Line { get; init; } = TetraLineBehaviour.Normal;

    /// <summary>The extra delay of <see cref="TetraLineBehaviour.Slow"/>. Default 2 s.</summary>
    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The terminal's SAM id (16 upper-case hex digits).</summary>
    public string SamId { get; init; } = "0123456789ABCDEF";

    /// <summary>The card's application number (14 upper-case hex digits).</summary>
    public string NumeroApplicatif { get; init; } = "04A1B2C3D4E5F6";

    /// <summary>The card's idSupport (decimal, 15 digits at most): the sandbox's card of holder 1000001 by default.</summary>
    public string IdSupport { get; init; } = "36000001";

    /// <summary>The 55-character report of a full payment answer (padded or cut to 55); holds a card number so that
    /// masking shows.</summary>
    public string PaymentReport { get; init; } = "CB 4970100000000003 1227 AUTO 123456 TETRA SIM";

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (SamId.Length != 16 || !SamId.All(IsUpperHex))
        {
            throw new ArgumentException("SamId must be 16 upper-case hexadecimal digits.");
        }

        if (NumeroApplicatif.Length != 14 || !NumeroApplicatif.All(IsUpperHex))
        {
            throw new ArgumentException("NumeroApplicatif must be 14 upper-case hexadecimal digits.");
        }

        if (IdSupport.Length is 0 or > 15 || !IdSupport.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("IdSupport must be 1 to 15 decimal digits.");
        }

        if (SlowDelay < TimeSpan.Zero || SlowDelay > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("SlowDelay must be 0 to 10 min.");
        }

        if (PaymentReport.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException("PaymentReport must be printable ASCII.");
        }
    }

    private static bool IsUpperHex(char c) => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F';
}
