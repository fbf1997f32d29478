namespace Middleware.Domain.Money;

/// <summary>
/// The one place where money changes representation: euros (<see cref="decimal"/>) in the domain and in
/// VEM tickets, integer cents in the Izly API, and HT computed from TTC.
/// </summary>
public static class Euro
{
    /// <summary>Euros to Izly cents. Refuses (<see cref="ArgumentException"/>) amounts that are not a whole number of
    /// cents, since silently rounding a payment amount would debit a different sum from the one shown, and amounts
    /// whose cents do not fit a long (<see cref="ArgumentOutOfRangeException"/>).</summary>
    public static long ToCents(decimal euros)
    {
        // Beyond ±92,233,720,368,547,758.07 € the cents do not fit a long (and near decimal.MaxValue the product itself
        // overflows): refused like any other amount Izly cannot carry, not an OverflowException.
        const decimal maxEuros = long.MaxValue / 100m;
        const decimal minEuros = long.MinValue / 100m;
        if (euros is > maxEuros or < minEuros)
        {
            throw new ArgumentOutOfRangeException(nameof(euros), euros, "The amount is too large to be paid in cents.");
        }

        var cents = euros * 100m;
        if (cents != decimal.Truncate(cents))
        {
            throw new ArgumentException($"Amount {euros} has more than two decimals.", nameof(euros));
        }

        return (long)cents;
    }

    /// <summary>Izly cents to euros.</summary>
    public static decimal FromCents(long cents) => cents / 100m;

    /// <summary>Rounds to the cent, half away from zero (the rule of the Crous spec for HT prices).</summary>
    public static decimal RoundToCent(decimal euros) => Math.Round(euros, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The HT unit price of a TTC unit price at a VAT rate in percent (5.5, 10, 20):
    /// <c>round(ttc / (1 + rate/100), 2, half away from zero)</c>, as <c>crous-izly-api.md</c> §4 states.
    /// </summary>
    public static decimal HtFromTtc(decimal ttc, decimal vatRatePercent)
    {
        if (vatRatePercent < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(vatRatePercent), vatRatePercent, "A VAT rate cannot be negative.");
        }

        return RoundToCent(ttc / (1m + (vatRatePercent / 100m)));
    }
}
