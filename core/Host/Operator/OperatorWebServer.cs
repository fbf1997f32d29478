using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Middleware.Host.Operator;

/// <summary>
/// The operator web server: a Kestrel of its own inside the host (not the sandbox's), read-only, every request behind
/// the access key (<see cref="OperatorAccessMiddleware"/>). Features add their pages through
/// <see cref="IOperatorEndpoints"/>. Off unless <c>OperatorWeb:Enabled</c>.
/// </summary>
internal sealed partial class OperatorWebServer(
    IOptions<OperatorWebOptions> options,
    IEnumerable<IOperatorEndpoints> endpoints,
    OperatorWebAddress address,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<OperatorWebServer>();
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var key = OperatorAccessKey.LoadOrCreate(settings.AccessKeyFile);
        var url = new Uri(settings.Url);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OperatorWebServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton(key);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // A page is small; a slow or huge client must not hold the host's memory.
            kestrel.Limits.MaxRequestBodySize = 16 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            var certificate = url.Scheme == "https" ? LoadCertificate(settings) : null;
            var ip = ParseHost(url.Host);
            kestrel.Listen(ip, url.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        var app = builder.Build();
        app.UseMiddleware<OperatorAccessMiddleware>();
        foreach (var feature in endpoints)
        {
            feature.Map(app);
        }

        await app.StartAsync(cancellationToken);
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        address.BaseUrl = new Uri(bound.TrimEnd('/') + "/");
        LogListening(address.BaseUrl, settings.AccessKeyFile);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
    }

    private static IPAddress ParseHost(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" or "0.0.0.0" => IPAddress.Any,
        _ => IPAddress.Parse(host.Trim('[', ']')),
    };

    private static X509Certificate2 LoadCertificate(OperatorWebOptions settings)
    {
        var file = settings.CertificateFile;
        if (file.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
        {
            var password = string.IsNullOrWhiteSpace(settings.CertificateKeyFile) ? null : File.ReadAllText(settings.CertificateKeyFile).TrimEnd('\r', '\n');
            return X509CertificateLoader.LoadPkcs12FromFile(file, password);
        }

        return X509Certificate2.CreateFromPemFile(file, string.IsNullOrWhiteSpace(settings.CertificateKeyFile) ? null : settings.CertificateKeyFile);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Operator web server listening on {Url} (access key in {KeyFile})")]
    private partial void LogListening(Uri url, string keyFile);
}

/// <summary>Where the operator web server listens once started (a port 0 setting is resolved here).</summary>
internal sealed class OperatorWebAddress
{
    public Uri? BaseUrl { get; set; }
}
