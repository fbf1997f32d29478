using System.Text.Json;
using Middleware.Client;

namespace Middleware.Pipe.Tests.Server;

public sealed class HelloAndMethodsTests
{
    [Fact]
    public async Task Hello_binds_the_point_of_sale_and_lists_capabilities()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync(pointOfSale: null);

        var hello = await client.HelloAsync("1-01-1-1-1", "Caisse test 1.0");

        Assert.Equal("1-1-1-1-1", hello.PointOfSale);
        Assert.Equal("Demo A", hello.Label);
        Assert.Equal("1.0", hello.ProtocolVersion);
        Assert.Matches(@"^\d+\.\d+\.\d+", hello.ServerVersion);
        Assert.Equal("hello", hello.Capabilities[0]);
        foreach (var method in new[] { "ping", "plugins.status", "readers.list", "test.count", "test.whoami" })
        {
            Assert.Contains(method, hello.Capabilities);
        }

        Assert.DoesNotContain(hello.Capabilities, c => c.StartsWith("rpc.", StringComparison.Ordinal));
        Assert.Equal(["card.tapped", "card.readFailed", "card.removed", "readers.changed"], hello.Notifications);
        Assert.Equal("1-1-1-1-1|Caisse test 1.0", await client.CallAsync<string>("test.whoami"));
    }

    [Theory]
    [InlineData("9-9-9-9-9", "not configured")]
    [InlineData("1-1-1-1", "is not a point of sale")]
    [InlineData("a-b-c-d-e", "is not a point of sale")]
    public async Task Hello_with_an_unknown_or_malformed_point_of_sale_is_refused_with_1001(string pointOfSale, string detail)
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync(pointOfSale: null);

        var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.HelloAsync(pointOfSale));

        Assert.Equal(1001, error.Code);
        Assert.Equal("Point de vente inconnu : vérifiez la configuration de la caisse.", error.CashierMessage);
        Assert.Contains(detail, error.Detail);
    }

    [Fact]
    public async Task Methods_before_hello_answer_1002()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync(pointOfSale: null);

        var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.ListReadersAsync());

        Assert.Equal(1002, error.Code);
        Assert.Equal("La caisse doit d'abord s'identifier.", error.CashierMessage);
    }

    [Fact]
    public async Task Plugins_status_lists_every_plugin_with_its_state()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();

        var plugins = await client.GetPluginStatusAsync();

        Assert.Equal(2, plugins.Count);
        Assert.Equal(new PluginStatus("reader.desfire", "1.2.0", "Active", null, "plugins/reader.desfire", FakePluginCatalog.Since), plugins[0]);
        Assert.Equal("Malfunctioned", plugins[1].State);
        Assert.Equal("Threw while loading: boom", plugins[1].Reason);
        Assert.Null(plugins[1].Version);
    }

    [Fact]
    public async Task Readers_list_shows_only_the_readers_of_the_tills_point_of_sale()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var a = await harness.ConnectAsync(PipeServerHarness.PosA);
        await using var b = await harness.ConnectAsync(PipeServerHarness.PosB);

        var readersA = await a.ListReadersAsync();
        var readersB = await b.ListReadersAsync();

        Assert.Equal(2, readersA.Count);
        Assert.Equal("Reader A", readersA[0].Name);
        Assert.Equal("pcsc", readersA[0].PluginId);
        Assert.Equal(["Desfire", "Classic1K"], readersA[0].Technologies);
        Assert.Equal("CardPresent", readersA[0].State);
        // Configured but offered by no plugin: listed as unavailable.
        Assert.Equal(("Reader A2", null, 0, "Unavailable"), (readersA[1].Name, readersA[1].PluginId, readersA[1].Technologies.Count, readersA[1].State));
        Assert.Equal("Reader B", Assert.Single(readersB).Name);
    }

    [Fact]
    public async Task Wire_format_is_one_json_object_per_line_with_camel_case_names()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var raw = await harness.ConnectRawAsync();

        var hello = await raw.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"2-2-2-2-2","till":"raw"}}""");
        var ping = await raw.CallAsync("""{"jsonrpc":"2.0","id":"p","method":"ping"}""");
        var add = await raw.CallAsync("""{"jsonrpc":"2.0","id":3,"method":"test.add","params":[2,40]}""");

        Assert.Equal(1, hello.GetProperty("id").GetInt32());
        Assert.Equal("Demo B", hello.GetProperty("result").GetProperty("label").GetString());
        Assert.Equal("2.0", ping.GetProperty("jsonrpc").GetString());
        Assert.Equal("p", ping.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, ping.GetProperty("result").ValueKind);
        Assert.Equal(42, add.GetProperty("result").GetInt32());
    }

    [Fact]
    public async Task An_unexpected_exception_answers_1099_without_leaking_its_message()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();

        var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => client.CallAsync("test.crash"));

        Assert.Equal(1099, error.Code);
        Assert.Equal("Erreur interne : contactez le support.", error.CashierMessage);
        Assert.DoesNotContain("1234567890123", error.Detail);
        Assert.Contains("InvalidOperationException", error.Detail);
        Assert.Equal(3, await client.CallAsync<int>("test.add", new { a = 1, b = 2 }));
    }
}
