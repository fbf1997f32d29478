using System.Buffers;
using System.Text;
using System.Text.Json;
using Middleware.Client;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Middleware.Pipe.Tests.Client;

public sealed class OwnedBufferFormatterTests
{
    private const string Answer = """{"jsonrpc":"2.0","id":7,"result":"till-1|hello"}""";
    private const string Other = """{"jsonrpc":"2.0","id":7,"result":"till-2|HELLO"}""";

    [Fact]
    public void A_parsed_message_does_not_change_when_the_buffer_it_came_from_is_reused()
    {
        var buffer = Encoding.UTF8.GetBytes(Answer);
        IJsonRpcMessageTextFormatter formatter = new OwnedBufferFormatter();

        var message = (JsonRpcResult)formatter.Deserialize(new ReadOnlySequence<byte>(buffer), Encoding.UTF8);
        Encoding.UTF8.GetBytes(Other).CopyTo(buffer, 0); // what the pool's next user writes

        Assert.Equal(7L, message.RequestId.Number);
        Assert.Equal("till-1|hello", message.GetResult<string>());
    }

    [Fact]
    public void The_stock_formatter_reads_the_reused_buffer_which_is_why_the_copy_exists()
    {
        // Documents the hazard the copy guards against; if the library starts copying, this test says so.
        var buffer = Encoding.UTF8.GetBytes(Answer);
        IJsonRpcMessageTextFormatter formatter = new SystemTextJsonFormatter();

        var message = (JsonRpcResult)formatter.Deserialize(new ReadOnlySequence<byte>(buffer), Encoding.UTF8);
        Encoding.UTF8.GetBytes(Other).CopyTo(buffer, 0);

        Assert.Equal("till-2|HELLO", message.GetResult<string>());
    }
}
