using Middleware.Domain.Rpc;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Tests.Server;

public sealed class RegistryTests
{
    [Fact]
    public void Methods_are_found_by_attribute_with_their_mutating_flag()
    {
        var registry = new RpcMethodRegistry([new TestTarget()]);

        Assert.True(registry.TryGet("test.count", out var count));
        Assert.True(count.Mutating);
        Assert.Equal(AnswerDurability.PowerCut, count.Durability);
        Assert.True(registry.TryGet("test.note", out var note));
        Assert.Equal(AnswerDurability.ProcessCrash, note.Durability);
        Assert.True(registry.TryGet("test.add", out var add));
        Assert.False(add.Mutating);
        Assert.False(registry.TryGet("Add", out _));
        Assert.Equal(["hello", "test.add", "test.count", "test.crash", "test.echo", "test.note", "test.refuse", "test.slow", "test.whoami"], registry.Capabilities);
    }

    [Fact]
    public void Two_methods_with_one_name_fail_at_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RpcMethodRegistry([new TestTarget(), new TestTarget()]));
        Assert.Contains("test.", error.Message);
    }

    [Fact]
    public void A_mutating_method_without_request_id_fails_at_start() =>
        Assert.Contains("requestId", Assert.Throws<InvalidOperationException>(() => new RpcMethodRegistry([new NoRequestId()])).Message);

    [Fact]
    public void Reserved_names_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new RpcMethodRegistry([new Reserved()]));
        Assert.Throws<InvalidOperationException>(() => new RpcMethodRegistry([new Hello()]));
    }

    private sealed class NoRequestId : IRpcTarget
    {
        [RpcMethod("x.pay", Mutating = true)]
        public int Pay(int amount) => amount;
    }

    private sealed class Reserved : IRpcTarget
    {
        [RpcMethod("rpc.x")]
        public void X()
        {
        }
    }

    private sealed class Hello : IRpcTarget
    {
        [RpcMethod("hello")]
        public void X()
        {
        }
    }
}
