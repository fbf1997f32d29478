using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Sandbox.Hosting;

namespace Middleware.Sandbox.Tests.Storage;

public sealed class EmbeddedSandboxTests
{
    [Fact]
    public async Task AddSandbox_starts_the_sandbox_with_the_host_and_stops_it_with_it()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-sandbox-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Port"] = "0",
            ["Sandbox:DatabasePath"] = Path.Combine(dir, "embedded.db"),
        }).Build();
        // Development: the embedded sandbox is refused in Production, the default environment (SandboxProductionRule).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Services.AddSandbox(config);
        using var host = builder.Build();
        await host.StartAsync();
        var server = await host.Services.GetRequiredService<EmbeddedSandbox>().Started.WaitAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using (var r = await http.GetAsync("_sandbox/health"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        await host.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("_sandbox/health"));
        Assert.True(File.Exists(Path.Combine(dir, "embedded.db")));
    }
}
