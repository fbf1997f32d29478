using Middleware.Domain.PointsOfSale;
using Xunit;

namespace Middleware.Domain.Tests.PointsOfSale;

public sealed class PointOfSaleIdTests
{
    [Theory]
    [InlineData("5-1-9-8-14", 5, 1, 9, 8, 14)]
    [InlineData("0-0-0-0-0", 0, 0, 0, 0, 0)]
    [InlineData("2147483647-1-2-3-4", int.MaxValue, 1, 2, 3, 4)]
    public void Five_non_negative_integers_joined_by_dashes_parse(string text, int crous, int ug, int ru, int ud, int caisse)
    {
        Assert.True(PointOfSaleId.TryParse(text, out var id));
        Assert.Equal(new PointOfSaleId(crous, ug, ru, ud, caisse), id);
        Assert.Equal(text, id.ToString());
        Assert.Equal(id, PointOfSaleId.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("5-1-9-8")]
    [InlineData("5-1-9-8-14-2")]
    [InlineData("5-1-9-8-")]
    [InlineData("-5-1-9-8")]
    [InlineData("5--1-9-8")]
    [InlineData("5-1-9-8-+14")]
    [InlineData("5-1-9-8--14")]
    [InlineData("5-1-9-8- 14")]
    [InlineData(" 5-1-9-8-14")]
    [InlineData("5-1-9-8-14 ")]
    [InlineData("5-1-9-8-2147483648")]
    [InlineData("5-1-9-8-1a")]
    [InlineData("5_1_9_8_14")]
    public void Anything_else_is_refused(string? text)
    {
        Assert.False(PointOfSaleId.TryParse(text, out var id));
        Assert.Equal(default, id);
        if (text is not null)
        {
            Assert.Throws<FormatException>(() => PointOfSaleId.Parse(text));
        }
    }
}
