using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Middleware.Pipe.Tests.Server;

/// <summary>The limits have documented defaults, and a nonsensical value stops the host with the setting's name.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var options = Resolve([]);

        Assert.Equal((254, 16, 32, 1024 * 1024, 20), (options.MaxConnections, options.MaxConnectionsBeforeHello, options.MaxInFlightPerConnection, options.MaxPendingOutputBytes, options.MaxLogEntriesPerConnectionPerMinute));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromHours(2), TimeSpan.FromSeconds(30)), (options.HelloTimeout, options.IdleTimeout, options.WriteTimeout));
        var document = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PROTOCOL.md"));
        foreach (var setting in new[] { "MaxConnectionsBeforeHello", "HelloTimeout", "IdleTimeout", "MaxInFlightPerConnection", "MaxPendingOutputBytes", "WriteTimeout", "MaxLogEntriesPerConnectionPerMinute" })
        {
            Assert.Contains("`Pipe:" + setting + "`", document, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("MaxInFlightPerConnection", "0")]
    [InlineData("MaxPendingOutputBytes", "100")]
    [InlineData("WriteTimeout", "00:00:00")]
    [InlineData("MaxConnectionsBeforeHello", "0")]
    [InlineData("HelloTimeout", "-00:00:01")]
    [InlineData("IdleTimeout", "00:00:05")]
    [InlineData("MaxLogEntriesPerConnectionPerMinute", "0")]
    public void A_bad_limit_is_refused_with_its_name(string setting, string value)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Pipe:" + setting] = value }));
        Assert.Contains("Pipe:" + setting, failure.Message, StringComparison.Ordinal);
    }

    private static PipeServerOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddPipeServer(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PipeServerOptions>>().Value;
    }
}
