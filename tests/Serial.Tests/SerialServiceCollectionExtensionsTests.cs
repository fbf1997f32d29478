using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;
using Xunit;

namespace Middleware.Serial.Tests;

public sealed class SerialServiceCollectionExtensionsTests
{
    [Fact]
    public void Registers_the_provider_with_the_documented_defaults()
    {
        using var provider = Build([]);
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<SerialLinkProvider>(provider.GetRequiredService<ISerialLinkProvider>());
        var options = provider.GetRequiredService<IOptions<SerialLinkOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(1), options.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.OpenTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.WriteTimeout);
        Assert.Equal(4096, options.MaxReadChunk);
        Assert.Equal(SerialLinkTransport.Auto, options.Transport);
    }

    [Fact]
    public void Binds_the_SerialLinks_section()
    {
        using var provider = Build(new()
        {
            ["SerialLinks:ReconnectDelay"] = "00:00:02",
            ["SerialLinks:MaxReadChunk"] = "512",
            ["SerialLinks:Transport"] = "SystemIoPorts",
        });
        var options = provider.GetRequiredService<IOptions<SerialLinkOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(2), options.ReconnectDelay);
        Assert.Equal(512, options.MaxReadChunk);
        Assert.Equal(SerialLinkTransport.SystemIoPorts, options.Transport);
    }

    [Theory]
    [InlineData("ReconnectDelay", "00:00:00")]
    [InlineData("OpenTimeout", "-00:00:01")]
    [InlineData("WriteTimeout", "1.00:00:00")]
    [InlineData("MaxReadChunk", "0")]
    [InlineData("Transport", "7")]
    public void Unbounded_options_fail_at_start(string key, string value)
    {
        using var provider = Build(new() { [$"SerialLinks:{key}"] = value });
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSerialLinks(configuration).BuildServiceProvider();
    }
}
