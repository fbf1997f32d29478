using System.Globalization;
using Middleware.Domain.Money;
using Middleware.Domain.PointsOfSale;
using Middleware.Fuzz.Tests.Cards;
using Middleware.Fuzz.Tests.Pipe;
using Xunit.Abstractions;

namespace Middleware.Fuzz.Tests.Domain;

/// <summary>The domain's parsers of till input: point-of-sale ids (every <c>hello</c>) and euro amounts (every debit).</summary>
public sealed class DomainParserFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Point_of_sale_ids_parse_to_what_they_print_or_throw_FormatException()
    {
        var seed = FuzzSettings.Seed;
        string[] parts = ["5", "1", "9", "8", "14", "0", "-", "--", "+1", " 1", "1 ", "2147483647", "2147483648", "99999999999", "٣", "１", "\0", "a", "", "1.0", "1e3", "0x1"];
        var parsed = 0;
        var refused = ParserFuzz.Run(100_000, seed, random => random.Next(5) switch
            {
                0 => random.Next(10) == 0 ? null! : JsonValuesText(random),
                // Mostly five parts, mostly plain numbers: both outcomes are reached often.
                _ => string.Join(random.Next(8) == 0 ? "_" : "-", Enumerable.Range(0, random.Next(2) == 0 ? 5 : random.Next(3, 8))
                    .Select(_ => random.Next(10) < 7 ? JsonValues.Invariant(random.Next(100_000)) : parts[random.Next(parts.Length)])),
            },
            text =>
            {
                var parsesViaTry = PointOfSaleId.TryParse(text, out var viaTry);
                PointOfSaleId id;
                try
                {
                    id = PointOfSaleId.Parse(text);
                }
                catch (FormatException)
                {
                    Assert.False(parsesViaTry, "TryParse and Parse must agree");
                    throw;
                }

                // What parses prints back to a form that parses to the same point of sale.
                Assert.True(parsesViaTry, "TryParse and Parse must agree");
                Assert.Equal(id, viaTry);
                Assert.Equal(id, PointOfSaleId.Parse(id.ToString()));
                parsed++;
            },
            ex => ex is FormatException,
            text => text is null ? "null" : $"'{text}'");
        output.WriteLine($"Points of sale: seed {seed}, 100000 inputs, {parsed} parsed, {refused} refused");
        Assert.True(parsed > 1000 && refused > 1000);
    }

    [Fact]
    public void Euro_amounts_convert_to_cents_and_back_or_throw_ArgumentException()
    {
        var seed = FuzzSettings.Seed;
        decimal[] edges = [decimal.MaxValue, decimal.MinValue, decimal.MaxValue / 100, decimal.MaxValue / 10, 92233720368547758.07m, 92233720368547758.08m, -92233720368547758.09m, 0.001m, -0.005m, 1e-28m, 0m, -0m];
        var converted = 0;
        var refused = ParserFuzz.Run(100_000, seed, random => random.Next(4) switch
            {
                0 => edges[random.Next(edges.Length)],
                1 => new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29)),
                _ => Math.Round((decimal)(random.NextDouble() * 1e6 - 5e5), random.Next(4)),
            },
            euros =>
            {
                var cents = Euro.ToCents(euros);
                Assert.Equal(euros, Euro.FromCents(cents));
                converted++;
            },
            ex => ex is ArgumentException,
            euros => euros.ToString(CultureInfo.InvariantCulture));
        output.WriteLine($"Euros: seed {seed}, 100000 inputs, {converted} converted, {refused} refused");
        Assert.True(converted > 1000 && refused > 1000);
    }

    private static string JsonValuesText(Random random) => JsonValues.RandomWord(random);
}
