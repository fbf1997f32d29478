using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Middleware.Domain.PointsOfSale;

/// <summary>
/// A Crous point of sale: <c>idCrous-idUg-idRu-idUd-idCaisse</c> (Crous, management unit, restaurant,
/// distribution unit, till), e.g. <c>5-1-9-8-14</c>. It is also the VEM <c>appId</c>.
/// </summary>
public readonly record struct PointOfSaleId(int Crous, int Ug, int Ru, int Ud, int Caisse)
{
    /// <summary>Parses <c>5-1-9-8-14</c>.</summary>
    public static PointOfSaleId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a point of sale (idCrous-idUg-idRu-idUd-idCaisse).");

    /// <summary>Parses <c>5-1-9-8-14</c>; five non-negative integers joined with dashes.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PointOfSaleId id)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // Parsed in place (no split strings): every till call parses its point of sale, some several times.
        Span<int> values = stackalloc int[5];
        var count = 0;
        foreach (var range in text.AsSpan().Split('-'))
        {
            if (count == 5 || !int.TryParse(text.AsSpan(range), NumberStyles.None, CultureInfo.InvariantCulture, out values[count]))
            {
                return false;
            }

            count++;
        }

        if (count != 5)
        {
            return false;
        }

        id = new PointOfSaleId(values[0], values[1], values[2], values[3], values[4]);
        return true;
    }

    /// <summary>The path segments VEM uses: <c>{crous}/{ug}/{ru}/{ud}/{caisse}</c>.</summary>
    public string ToPath() => string.Create(CultureInfo.InvariantCulture, $"{Crous}/{Ug}/{Ru}/{Ud}/{Caisse}");

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Crous}-{Ug}-{Ru}-{Ud}-{Caisse}");
}
