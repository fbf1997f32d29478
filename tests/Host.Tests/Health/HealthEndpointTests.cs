using System.Net;
using System.Text.Json;
using Middleware.Host.Tests.Telemetry;

namespace Middleware.Host.Tests.Health;

/// <summary>GET /health on the real host's operator web server: every check by name, the key required, 503 when Izly
/// does not answer.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HealthEndpointTests
{
    private static readonly string[] Checks = ["vem", "izly", "pcscd", "serial", "stores", "disk"];

    [Fact]
    public async Task Health_answers_200_with_each_check_and_401_without_the_key()
    {
        await using var web = await OperatorWebHost.StartAsync();

        var answer = await web.Client.GetAsync("/health");
        var body = await answer.Content.ReadAsStringAsync();

        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{answer.StatusCode}: {body}");
        Assert.StartsWith("application/json", answer.Content.Headers.ContentType!.ToString());
        using var json = JsonDocument.Parse(body);
        Assert.NotEqual("Unhealthy", json.RootElement.GetProperty("status").GetString());
        var entries = json.RootElement.GetProperty("entries");
        Assert.Equal(Checks.Order(), entries.EnumerateObject().Select(e => e.Name).Order());
        foreach (var name in Checks)
        {
            var entry = entries.GetProperty(name);
            Assert.Contains(entry.GetProperty("status").GetString(), new[] { "Healthy", "Degraded" });
            Assert.False(string.IsNullOrWhiteSpace(entry.GetProperty("description").GetString()), $"{name} has no description: {body}");
            Assert.True(TimeSpan.TryParse(entry.GetProperty("duration").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _), body);
        }

        // This host's settings: the readers are not watched, no plugin names a serial link, the sandbox answers.
        Assert.Equal("disabled", entries.GetProperty("pcscd").GetProperty("description").GetString());
        Assert.Equal("no serial link", entries.GetProperty("serial").GetProperty("description").GetString());
        Assert.Equal(0, entries.GetProperty("stores").GetProperty("data").GetProperty("dead").GetInt32());
        Assert.True(entries.GetProperty("disk").GetProperty("data").GetProperty("freeBytes").GetInt64() > 0);

        using var anonymous = new HttpClient { BaseAddress = web.BaseUrl };
        var refused = await anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_answers_503_naming_izly_when_its_url_points_to_a_closed_port()
    {
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there any more: a connection is refused at once
        await using var web = await OperatorWebHost.StartAsync($"--CrousApis:Izly:BaseUrl=http://127.0.0.1:{port}");

        var started = System.Diagnostics.Stopwatch.StartNew();
        var answer = await web.Client.GetAsync("/health");
        var body = await answer.Content.ReadAsStringAsync();

        Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{answer.StatusCode}: {body}");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"/health took {started.Elapsed}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        var izly = json.RootElement.GetProperty("entries").GetProperty("izly");
        Assert.Equal("Unhealthy", izly.GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{port}", izly.GetProperty("description").GetString());
        // VEM is still the sandbox: only Izly is down.
        Assert.NotEqual("Unhealthy", json.RootElement.GetProperty("entries").GetProperty("vem").GetProperty("status").GetString());
    }
}
