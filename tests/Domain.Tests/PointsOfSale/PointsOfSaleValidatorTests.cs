using Middleware.Domain.PointsOfSale;
using Xunit;

namespace Middleware.Domain.Tests.PointsOfSale;

public sealed class PointsOfSaleValidatorTests
{
    private static PointOfSaleOptions Pos(string id, string label = "Caisse", string timeZone = "Europe/Paris", params string[] readers) =>
        new() { Id = id, Label = label, TimeZone = timeZone, Readers = [.. readers] };

    private static IReadOnlyList<string> Failures(params PointOfSaleOptions[] list) =>
        new PointsOfSaleValidator().Validate(null, [.. list]).Failures?.ToList() ?? [];

    [Fact]
    public void The_shipped_point_of_sale_and_a_second_till_pass()
    {
        var result = new PointsOfSaleValidator().Validate(null, [Pos("5-1-9-8-14", "RU", "Europe/Paris", "Virtual PCD 00 00"), Pos("5-1-9-8-15", "RU 15", "America/Cayenne", "Virtual PCD 00 01")]);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("5-1-9-8")]
    [InlineData("5-1-9-8-x")]
    [InlineData("05-1-9-8-14")]
    [InlineData("5-1-9-8-14-2")]
    [InlineData("-1-9-8-14")]
    [InlineData("")]
    public void A_malformed_id_is_named_with_its_path_and_value(string id)
    {
        var failure = Assert.Single(Failures(Pos("5-1-9-8-14"), Pos(id)));

        Assert.StartsWith($"PointsOfSale:1:Id: '{id}' is not a point of sale id", failure);
    }

    [Fact]
    public void A_duplicate_id_names_both_entries()
    {
        var failure = Assert.Single(Failures(Pos("5-1-9-8-14"), Pos("5-1-9-8-15"), Pos("5-1-9-8-14")));

        Assert.Equal("PointsOfSale:2:Id: '5-1-9-8-14' is already the id of PointsOfSale:0; each point of sale is listed once.", failure);
    }

    [Fact]
    public void Every_error_is_listed_not_only_the_first()
    {
        var failures = Failures(Pos("x", label: " ", timeZone: "Mars/Olympus", "A", ""), Pos("5-1-9-8-14", "B", "Europe/Paris", "A"));

        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("PointsOfSale:0:Id: 'x'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PointsOfSale:0:Label: ' ' is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PointsOfSale:0:TimeZone: 'Mars/Olympus' is not a time zone", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PointsOfSale:0:Readers:1: '' is empty", StringComparison.Ordinal));
        Assert.Contains("PointsOfSale:1:Readers:0: 'A' is already listed at PointsOfSale:0:Readers:0; a reader serves one point of sale.", failures);
    }

    [Fact]
    public void A_label_with_a_line_break_is_refused_and_quoted_escaped()
    {
        var failure = Assert.Single(Failures(Pos("5-1-9-8-14", "Caisse\n[ERR] forged")));

        Assert.Equal("PointsOfSale:0:Label: 'Caisse\\u000a[ERR] forged' must be at most 100 characters, without control characters.", failure);
    }

    [Fact]
    public void A_blank_terminal_is_refused_and_none_is_allowed()
    {
        var blank = Pos("5-1-9-8-14");
        blank.Terminal = "  ";

        Assert.StartsWith("PointsOfSale:0:Terminal: '  ' is blank", Assert.Single(Failures(blank)));
        Assert.Empty(Failures(Pos("5-1-9-8-14")));
    }
}
