using System.Text.Json;

namespace Middleware.Pipe.Tests.Server;

/// <summary>
/// Malformed JSON-RPC envelopes (found by the pipe fuzzer: StreamJsonRpc left them unanswered or closed the connection)
/// get exactly one -32600 answer with their id, over a real pipe, and the connection keeps working.
/// </summary>
public sealed class EnvelopeTests
{
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":"ping","params":"text"}""", "'params' must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":"ping","params":42}""", "'params' must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":"ping","params":true}""", "'params' must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":7}""", "needs a 'method'")]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":42}""", "'method' must be a string")]
    [InlineData("""{"jsonrpc":2,"id":7,"method":"ping"}""", "'jsonrpc' must be the string")]
    public async Task A_malformed_request_gets_one_invalid_request_answer_with_its_id_and_the_connection_keeps_working(string line, string reason)
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""");

        var answer = await raw.CallAsync(line);
        var ping = await raw.CallAsync("""{"jsonrpc":"2.0","id":8,"method":"ping"}""");

        Assert.Equal(7, answer.GetProperty("id").GetInt32());
        Assert.Equal(-32600, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(reason, answer.GetProperty("error").GetProperty("data").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(8, ping.GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.Null, ping.GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task A_parameter_name_that_is_not_UTF8_is_a_parse_error_not_an_internal_error()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();

        byte[] line = [.. "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":{\"x"u8, 0xFF, .. "y\":1}}"u8];
        await raw.SendBytesAsync(line);
        var answer = JsonDocument.Parse((await raw.ReadLineAsync())!).RootElement;

        Assert.Equal(JsonValueKind.Null, answer.GetProperty("id").ValueKind);
        Assert.Equal(-32700, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("not valid UTF-8", answer.GetProperty("error").GetProperty("data").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_shaped_line_is_ignored_and_the_connection_keeps_working()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""");

        await raw.SendAsync("""{"jsonrpc":"2.0","id":9,"result":null}""");
        await raw.SendAsync("""{"jsonrpc":"2.0","id":10,"error":{"code":1,"message":"x"}}""");
        var ping = await raw.CallAsync("""{"jsonrpc":"2.0","id":11,"method":"ping"}""");

        Assert.Equal(11, ping.GetProperty("id").GetInt32()); // the first line back answers the ping: nothing else was sent
    }

    [Fact]
    public async Task A_malformed_request_before_hello_is_answered_too()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();

        var answer = await raw.CallAsync("""{"jsonrpc":"2.0","id":"a","method":"ping","params":"text"}""");

        Assert.Equal("a", answer.GetProperty("id").GetString());
        Assert.Equal(-32600, answer.GetProperty("error").GetProperty("code").GetInt32());
    }
}
