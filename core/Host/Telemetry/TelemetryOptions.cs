namespace Middleware.Host.Telemetry;

/// <summary>Section <c>Telemetry</c>: metrics and traces of the host, for the collector a Crous already runs.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Off by default: no exporter runs and the instruments cost one check each.</summary>
    public bool Enabled { get; set; }

    /// <summary>The <c>service.name</c> resource attribute. Default <c>izly-middleware</c>.</summary>
    public string ServiceName { get; set; } = "izly-middleware";

    /// <summary>More resource attributes, e.g. <c>{"site": "crous-5/ru-9", "deployment.environment": "production"}</c>.
    /// <c>service.instance.id</c> is the machine name unless given here.</summary>
    public Dictionary<string, string> ResourceAttributes { get; set; } = [];

    /// <summary>OTLP export of metrics and traces (off while <see cref="OtlpOptions.Endpoint"/> is empty).</summary>
    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>The Prometheus scrape endpoint <c>/metrics</c> on the operator web server (behind its access key).</summary>
    public PrometheusOptions Prometheus { get; set; } = new();

    /// <summary>.NET runtime metrics (GC, thread pool, exceptions) beside the host's own. Default true.</summary>
    public bool RuntimeMetrics { get; set; } = true;

    public sealed class OtlpOptions
    {
        /// <summary>The collector's base URL: <c>http://collector:4318</c> (http/protobuf: the host adds <c>/v1/metrics</c>
        /// and <c>/v1/traces</c>) or <c>http://collector:4317</c> (grpc). Empty: no OTLP export.</summary>
        public string Endpoint { get; set; } = "";

        /// <summary><c>HttpProtobuf</c> (default) or <c>Grpc</c>.</summary>
        public string Protocol { get; set; } = "HttpProtobuf";

        /// <summary>How often metrics are pushed. Default 15 s.</summary>
        public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>Export the sale path's spans. Default true.</summary>
        public bool Traces { get; set; } = true;

    }

    public sealed class PrometheusOptions
    {
        /// <summary>Serve <c>/metrics</c> on the operator web server (which must be enabled). Default false.</summary>
        public bool Enabled { get; set; }
    }
}
