using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;
using Middleware.PluginHost;

namespace Middleware.Host.Tests;

/// <summary>The host's composition offers the serial link service to plugins and checks its options at start.</summary>
public sealed class SerialLinksCompositionTests
{
    [Fact]
    public void Plugins_may_ask_for_the_serial_link_provider()
    {
        var root = NewRoot();
        var builder = MiddlewareHost.CreateBuilder(["--Pipe:PipeName=mws-" + Guid.NewGuid().ToString("N")[..10], "--Host:Mode=console", .. HostStartTests.SandboxArguments(root)], root);
        using var host = builder.Build();

        // What PluginServiceRegistry lets IPluginContext.GetService<T>() resolve: registered as a plugin service, and in DI.
        Assert.Contains(host.Services.GetServices<PluginServiceRegistration>(), r => r.ServiceType == typeof(ISerialLinkProvider));
        Assert.NotNull(host.Services.GetService<ISerialLinkProvider>());
    }

    [Fact]
    public async Task A_host_with_a_zero_serial_reconnect_delay_refuses_to_start_and_says_which_setting()
    {
        var root = NewRoot();
        var builder = MiddlewareHost.CreateBuilder(["--Pipe:PipeName=mws-" + Guid.NewGuid().ToString("N")[..10], "--Host:Mode=console", "--SerialLinks:ReconnectDelay=00:00:00", .. HostStartTests.SandboxArguments(root)], root);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("SerialLinks:ReconnectDelay", error.Message, StringComparison.Ordinal);
    }

    private static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        return root;
    }
}
