using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Host.Operator;

namespace Middleware.Host.Tests.Telemetry;

/// <summary>A <see cref="SaleHost"/> with the operator web server on a free loopback port, and a client carrying its key.</summary>
internal sealed class OperatorWebHost : IAsyncDisposable
{
    private OperatorWebHost(SaleHost host, string keyFile, HttpClient client)
    {
        Host = host;
        KeyFile = keyFile;
        Client = client;
    }

    public SaleHost Host { get; }

    /// <summary>The access key's file (0600, made by the host).</summary>
    public string KeyFile { get; }

    /// <summary>Sends <c>Authorization: Bearer KEY</c>.</summary>
    public HttpClient Client { get; }

    public Uri BaseUrl => Host.Services.GetRequiredService<OperatorWebAddress>().BaseUrl!;

    public static async Task<OperatorWebHost> StartAsync(params string[] extraArguments)
    {
        var keyFile = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"), "operator.key");
        var host = await SaleHost.StartAsync(["--OperatorWeb:Enabled=true", "--OperatorWeb:Url=http://127.0.0.1:0", $"--OperatorWeb:AccessKeyFile={keyFile}", .. extraArguments]);
        var key = (await File.ReadAllTextAsync(keyFile)).Trim();
        var client = new HttpClient { BaseAddress = host.Services.GetRequiredService<OperatorWebAddress>().BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new OperatorWebHost(host, keyFile, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
