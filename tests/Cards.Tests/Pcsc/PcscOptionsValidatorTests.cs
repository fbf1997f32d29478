using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Middleware.Cards.Pcsc;
using Xunit;

namespace Middleware.Cards.Tests.Pcsc;

public sealed class PcscOptionsValidatorTests
{
    [Fact]
    public void The_defaults_pass_and_each_bad_value_is_named()
    {
        Assert.True(new PcscOptionsValidator().Validate(null, new PcscOptions()).Succeeded);

        var failures = new PcscOptionsValidator().Validate(null, new PcscOptions
        {
            Scope = (PcscScope)7,
            MaxIdleContexts = -1,
            ReceiveBufferSize = 12,
            RemovalCheckWindow = TimeSpan.FromMinutes(1),
        }).Failures!.ToList();

        Assert.Equal(
        [
            "Pcsc:Scope: '7' must be User or System.",
            "Pcsc:MaxIdleContexts: '-1' must be from 0 to 64.",
            "Pcsc:ReceiveBufferSize: '12' must be from 258 to 65538 bytes.",
            "Pcsc:RemovalCheckWindow: '00:01:00' must be from 0 to 10 s.",
        ], failures);
    }

    [Fact]
    public void A_bad_value_in_the_section_is_no_longer_ignored_the_registered_options_refuse_it()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Pcsc:ReceiveBufferSize"] = "100", ["Pcsc:Scope"] = "User" })
            .Build();
        using var provider = new ServiceCollection().AddPcsc(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PcscOptions>());

        Assert.Equal("Pcsc:ReceiveBufferSize: '100' must be from 258 to 65538 bytes.", Assert.Single(error.Failures));
    }
}
