using System.Text.Json;
using Middleware.Pipe.Idempotency;

namespace Middleware.Pipe.Tests.Idempotency;

public sealed class ParamsHasherTests
{
    private static KeyValuePair<string, JsonElement> P(string name, string json) => new(name, JsonDocument.Parse(json).RootElement.Clone());

    [Fact]
    public void Member_order_and_whitespace_do_not_change_the_hash()
    {
        var a = ParamsHasher.Hash([P("basket", """{"items":[{"id":1,"qty":2}],"total":3.20}"""), P("card", "\"123\"")]);
        var b = ParamsHasher.Hash([P("card", " \"123\" "), P("basket", """{ "total":3.20, "items":[ {"qty":2, "id":1} ] }""")]);

        Assert.Equal(a, b);
        Assert.Equal(64, a.Length);
    }

    [Theory]
    [InlineData("""{"items":[{"id":1,"qty":3}]}""")]
    [InlineData("""{"items":[{"qty":2,"id":1},{"id":2}]}""")]
    [InlineData("""{"items":[]}""")]
    [InlineData("""{"items":[{"id":"1","qty":2}]}""")]
    public void Any_change_of_value_changes_the_hash(string other)
    {
        var reference = ParamsHasher.Hash([P("basket", """{"items":[{"id":1,"qty":2}]}""")]);

        Assert.NotEqual(reference, ParamsHasher.Hash([P("basket", other)]));
    }

    [Fact]
    public void Array_order_matters_and_names_matter()
    {
        Assert.NotEqual(ParamsHasher.Hash([P("a", "[1,2]")]), ParamsHasher.Hash([P("a", "[2,1]")]));
        Assert.NotEqual(ParamsHasher.Hash([P("a", "1")]), ParamsHasher.Hash([P("b", "1")]));
        Assert.Equal("""{"a":1,"b":[true,null]}""", ParamsHasher.Canonical(JsonDocument.Parse("""{ "b": [true, null], "a": 1 }""").RootElement));
    }
}
