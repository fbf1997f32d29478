using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Domain.Telemetry;
using Middleware.Host.Operator;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Middleware.Host.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// OpenTelemetry for the host's meter and activity source (<see cref="MiddlewareTelemetry.Name"/>), section
    /// <c>Telemetry</c>: OTLP push of metrics and traces, and/or the Prometheus scrape endpoint <c>/metrics</c> on the
    /// operator web server. Nothing is registered when <c>Telemetry:Enabled</c> is false: no listener, no exporter.
    /// </summary>
    public static IServiceCollection AddHostTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TelemetryOptions.SectionName);
        var settings = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!settings.Enabled)
        {
            return services;
        }

        var otlp = OtlpTarget.From(settings.Otlp);
        var resource = ResourceBuilder.CreateDefault()
            .AddService(settings.ServiceName, serviceVersion: typeof(TelemetryOptions).Assembly.GetName().Version?.ToString(), serviceInstanceId: Environment.MachineName)
            .AddAttributes(settings.ResourceAttributes.Select(a => new KeyValuePair<string, object>(a.Key, a.Value)));
        var builder = services.AddOpenTelemetry();
        builder.WithMetrics(metrics =>
        {
            metrics.SetResourceBuilder(resource).AddMeter(MiddlewareTelemetry.Name);
            if (settings.RuntimeMetrics)
            {
                metrics.AddRuntimeInstrumentation();
            }

            if (otlp is not null)
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    otlp.Apply(exporter, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Clamp(settings.Otlp.MetricsInterval.TotalMilliseconds, 1000, 3_600_000);
                });
            }

            if (settings.Prometheus.Enabled)
            {
                metrics.AddPrometheusExporter();
            }
        });
        if (otlp is not null && settings.Otlp.Traces)
        {
            builder.WithTracing(tracing => tracing.SetResourceBuilder(resource).AddSource(MiddlewareTelemetry.Name)
                .AddOtlpExporter(exporter => otlp.Apply(exporter, "v1/traces")));
        }

        if (settings.Prometheus.Enabled)
        {
            services.AddSingleton<IOperatorEndpoints, PrometheusEndpoints>();
        }

        // The observable gauges (outbox queue, plugin states) exist only while someone may read them.
        services.AddSingleton<Middleware.Tickets.Sending.TicketQueueGauges>();
        services.AddSingleton<Middleware.PluginHost.PluginStateGauges>();
        services.AddHostedService<TelemetryGaugesStart>();
        return services;
    }

    /// <summary>The OTLP endpoint and protocol, checked at start (a wrong setting stops the start, naming it).</summary>
    private sealed record OtlpTarget(Uri Endpoint, OtlpExportProtocol Protocol)
    {
        public static OtlpTarget? From(TelemetryOptions.OtlpOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Endpoint))
            {
                return null;
            }

            if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"Telemetry:Otlp:Endpoint '{options.Endpoint}' is not an http(s) URL such as http://collector:4318.");
            }

            var protocol = options.Protocol.Replace("/", "", StringComparison.Ordinal).ToUpperInvariant() switch
            {
                "HTTPPROTOBUF" => OtlpExportProtocol.HttpProtobuf,
                "GRPC" => OtlpExportProtocol.Grpc,
                _ => throw new InvalidOperationException($"Telemetry:Otlp:Protocol '{options.Protocol}' is neither HttpProtobuf nor Grpc."),
            };
            return new OtlpTarget(endpoint, protocol);
        }

        // Set in code, the exporter takes the endpoint as is: http/protobuf needs the signal's path, grpc does not.
        public void Apply(OtlpExporterOptions exporter, string signalPath)
        {
            exporter.Protocol = Protocol;
            exporter.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf && !Endpoint.AbsolutePath.EndsWith(signalPath, StringComparison.Ordinal)
                ? new Uri(new Uri(Endpoint.ToString().TrimEnd('/') + "/"), signalPath)
                : Endpoint;
            exporter.TimeoutMilliseconds = 10_000;
        }
    }
}

/// <summary>Creates the observable gauges at start (they are otherwise made only when first asked for).</summary>
internal sealed class TelemetryGaugesStart(Middleware.Tickets.Sending.TicketQueueGauges tickets, Middleware.PluginHost.PluginStateGauges plugins) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(tickets);
        GC.KeepAlive(plugins);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
