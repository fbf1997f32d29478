using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Middleware.Host.Operator;

namespace Middleware.Host.Tests.Operator;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OperatorWebServerTests
{
    [Fact]
    public async Task Every_page_needs_the_access_key_from_its_0600_file_by_bearer_or_by_the_login_cookie()
    {
        var root = NewRoot();
        var keyFile = Path.Combine(root, "data", "operator.key");
        var builder = MiddlewareHost.CreateBuilder(
            ["--Host:Mode=console", $"--Pipe:PipeName=mwo-{Guid.NewGuid():N}"[..40], .. HostStartTests.SandboxArguments(root),
             "--OperatorWeb:Enabled=true", "--OperatorWeb:Url=http://127.0.0.1:0", $"--OperatorWeb:AccessKeyFile={keyFile}"], root);
        builder.Services.AddSingleton<IOperatorEndpoints, HelloEndpoints>();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var baseUrl = host.Services.GetRequiredService<OperatorWebAddress>().BaseUrl!;
            var key = (await File.ReadAllTextAsync(keyFile)).Trim();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.True(key.Length >= 40);

            using var anonymous = new HttpClient { BaseAddress = baseUrl };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/hello")).StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/hello") { Headers = { { "Authorization", "Bearer " + key[..^1] + (key[^1] == 'a' ? 'b' : 'a') } } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/login?key=nope")).StatusCode);

            using var bearer = new HttpRequestMessage(HttpMethod.Get, "/hello") { Headers = { { "Authorization", "Bearer " + key } } };
            var answer = await anonymous.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("hello operator", await answer.Content.ReadAsStringAsync());
            Assert.Equal("no-store", answer.Headers.CacheControl!.ToString());

            // A browser: /login?key= sets an HttpOnly cookie and sends it back to / without the key in the address.
            var cookies = new CookieContainer();
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseUrl };
            var login = await browser.GetAsync("/login?key=" + Uri.EscapeDataString(key));
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("/", login.Headers.Location!.OriginalString);
            Assert.Contains("httponly", string.Join(";", login.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
            Assert.Equal("hello operator", await browser.GetStringAsync("/hello"));
        }
        finally
        {
            await host.StopAsync();
        }

        // The same key at the next start.
        Assert.True(File.Exists(keyFile));
    }

    [Theory]
    [InlineData("http://0.0.0.0:5090", "plain http on an address other than loopback")]
    [InlineData("https://10.1.2.3:5090", "OperatorWeb:CertificateFile must name")]
    [InlineData("ftp://127.0.0.1:5090", "is not an address such as")]
    [InlineData("http://127.0.0.1:5090/status", "is not an address such as")]
    public void An_address_that_would_expose_the_pages_is_refused_naming_the_setting(string url, string expected)
    {
        var result = new OperatorWebOptionsValidator().Validate(null, new OperatorWebOptions { Enabled = true, Url = url });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage);
        Assert.Contains(url, result.FailureMessage);
    }

    [Fact]
    public void Loopback_http_and_a_disabled_server_are_accepted()
    {
        Assert.True(new OperatorWebOptionsValidator().Validate(null, new OperatorWebOptions { Enabled = true, Url = "http://127.0.0.1:0" }).Succeeded);
        Assert.True(new OperatorWebOptionsValidator().Validate(null, new OperatorWebOptions { Enabled = true, Url = "http://[::1]:5090" }).Succeeded);
        Assert.True(new OperatorWebOptionsValidator().Validate(null, new OperatorWebOptions { Enabled = false, Url = "http://0.0.0.0:1" }).Succeeded);
    }

    [Fact]
    public async Task A_key_file_others_may_read_stops_the_start()
    {
        var root = NewRoot();
        var keyFile = Path.Combine(root, "operator.key");
        await File.WriteAllTextAsync(keyFile, new string('k', 43));
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var builder = MiddlewareHost.CreateBuilder(
            ["--Host:Mode=console", $"--Pipe:PipeName=mwo-{Guid.NewGuid():N}"[..40], .. HostStartTests.SandboxArguments(root),
             "--OperatorWeb:Enabled=true", "--OperatorWeb:Url=http://127.0.0.1:0", $"--OperatorWeb:AccessKeyFile={keyFile}"], root);
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("operator.key", error.Message);
        await host.StopAsync();
    }

    private static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        return root;
    }

    private sealed class HelloEndpoints : IOperatorEndpoints
    {
        public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapGet("/hello", () => Results.Text("hello operator"));
    }
}
