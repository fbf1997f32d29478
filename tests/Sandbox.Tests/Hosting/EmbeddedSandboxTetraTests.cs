using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Sandbox.Hosting;
using Middleware.Tests.Serial;

namespace Middleware.Sandbox.Tests.Hosting;

/// <summary><c>Sandbox:Tetra</c>: the embedded sandbox runs a simulated Tetra (a real socat pty pair) at the configured
/// folder, wires it to <c>/_sandbox/tetra/behaviour</c> and removes it when the host stops.</summary>
public sealed class EmbeddedSandboxTetraTests
{
    [SocatFact]
    public async Task With_Tetra_enabled_the_link_exists_the_route_answers_and_both_go_on_stop()
    {
        var dir = NewFolder();
        var tetraDir = Path.Combine(dir, "run", "tetra");
        Directory.CreateDirectory(tetraDir);
        // Links left by a host killed before it stopped, to a device that exists: never taken for the new pair.
        File.CreateSymbolicLink(Path.Combine(tetraDir, "tetra"), "/dev/null");
        File.CreateSymbolicLink(Path.Combine(tetraDir, "tetra-sim"), "/dev/null");
        using var host = Build(dir, ("Sandbox:Tetra:Enabled", "true"), ("Sandbox:Tetra:Directory", tetraDir));
        await host.StartAsync();
        var server = await host.Services.GetRequiredService<EmbeddedSandbox>().Started.WaitAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

        var link = new FileInfo(Path.Combine(tetraDir, "tetra"));
        Assert.StartsWith("/dev/pts/", link.LinkTarget, StringComparison.Ordinal);
        // The simulated terminal answers at the link: ENQ → ACK, as the Tetra plugin's first exchange opens.
        await using (var line = new FileStream(link.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
        {
            line.Write([0x05]);
            var answer = new byte[1];
            // A pty opened as a plain file ignores cancellation: the read is bounded by WaitAsync, and socat's end on stop ends it.
            var read = await Task.Run(() => line.Read(answer)).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal((1, (byte)0x06), (read, answer[0]));
            line.Write([0x04]); // EOT: the terminal goes back to waiting
        }

        using (var get = await http.GetAsync("_sandbox/tetra/behaviour"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("CardPresent", (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("card").GetString());
        }

        using (var post = await http.PostAsJsonAsync("_sandbox/tetra/behaviour", new { payment = "Refused" }))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            Assert.Equal("Refused", (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payment").GetString());
        }

        await host.StopAsync();
        Assert.False(Path.Exists(Path.Combine(tetraDir, "tetra")));
        Assert.False(Path.Exists(Path.Combine(tetraDir, "tetra-sim")));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("_sandbox/tetra/behaviour"));
    }

    [SocatFact]
    public async Task A_missing_folder_is_made_and_a_host_disposed_without_a_stop_still_removes_the_pair()
    {
        var dir = NewFolder();
        var tetraDir = Path.Combine(dir, "run", "tetra");
        var host = Build(dir, ("Sandbox:Tetra:Enabled", "true"), ("Sandbox:Tetra:Directory", tetraDir));
        try
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<EmbeddedSandbox>().Started.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith("/dev/pts/", new FileInfo(Path.Combine(tetraDir, "tetra")).LinkTarget, StringComparison.Ordinal);
        }
        finally
        {
            host.Dispose(); // no StopAsync, as when a start or an assertion fails
        }

        Assert.False(Path.Exists(Path.Combine(tetraDir, "tetra")));
        Assert.False(Path.Exists(Path.Combine(tetraDir, "tetra-sim")));
    }

    [Fact]
    public async Task Without_Tetra_enabled_no_link_is_made_and_the_route_is_404()
    {
        var dir = NewFolder();
        var tetraDir = Path.Combine(dir, "tetra");
        using var host = Build(dir, ("Sandbox:Tetra:Directory", tetraDir));
        await host.StartAsync();
        var server = await host.Services.GetRequiredService<EmbeddedSandbox>().Started.WaitAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

        using (var get = await http.GetAsync("_sandbox/tetra/behaviour"))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        Assert.False(Directory.Exists(tetraDir));
        await host.StopAsync();
    }

    private static IHost Build(string dir, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Sandbox:Port"] = "0",
            ["Sandbox:DatabasePath"] = Path.Combine(dir, "embedded.db"),
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        // Development: the embedded sandbox is refused in Production, the default environment (SandboxProductionRule).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Services.AddSandbox(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return builder.Build();
    }

    private static string NewFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-sandbox-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
