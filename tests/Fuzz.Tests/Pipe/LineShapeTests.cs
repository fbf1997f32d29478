using System.Text;
using Xunit;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>The fuzzer's oracle: what the protocol promises for a line, before the server is asked.</summary>
public sealed class LineShapeTests
{
    [Fact]
    public void A_notification_shaped_line_that_is_not_utf8_is_a_parse_error_the_server_answers()
    {
        var valid = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"ping","params":{"x":"ab"}}""");
        Assert.Equal(LineKind.Notification, LineShape.Of(valid).Kind);

        var broken = (byte[])valid.Clone();
        broken[Array.IndexOf(broken, (byte)'a')] = 0xC3; // a lead byte without its continuation
        Assert.Equal(LineKind.NotJson, LineShape.Of(broken).Kind);
    }

    [Fact]
    public void A_request_that_is_not_utf8_is_answered_by_id_or_as_a_parse_error()
    {
        var line = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":7,"method":"ping","params":{"x":"ab"}}""");
        line[Array.IndexOf(line, (byte)'a')] = 0xFF;
        var shape = LineShape.Of(line);
        Assert.Equal(LineKind.RequestOrNotJson, shape.Kind);
        Assert.Equal("n:7", shape.IdKey);
    }
}
