using System.Diagnostics;
using System.Diagnostics.Metrics;
using Middleware.Domain.Telemetry;
using StreamJsonRpc.Protocol;

namespace Middleware.Pipe.Server;

/// <summary>Till calls by method and outcome (ok, or the protocol error code), and their duration.</summary>
internal static class PipeMetrics
{
    private static readonly Counter<long> Calls = MiddlewareTelemetry.Meter.CreateCounter<long>(
        "middleware.pipe.calls", "{call}", "Till calls over the pipe by method and outcome (ok, or error_<code>).");

    private static readonly Histogram<double> CallDuration = MiddlewareTelemetry.Meter.CreateHistogram(
        "middleware.pipe.call.duration", "s", "Time from a till call's dispatch to its answer, by method and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120] });

    // "pipe <method>" per method tag, made once: the tags are a bounded set (MethodTag).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> SpanNames = new(StringComparer.Ordinal);

    public static bool Enabled => Calls.Enabled || CallDuration.Enabled;

    /// <summary>The method as a tag: a name the registry knows (or hello), else "unknown": a hostile till must not
    /// create one series per name it makes up.</summary>
    public static string MethodTag(RpcMethodRegistry registry, string? name) =>
        name is RpcMethodRegistry.HelloMethod ? name : name is not null && registry.TryGet(name, out var entry) ? entry.Name : "unknown";

    /// <summary>The name of a call's span.</summary>
    public static string SpanName(string methodTag) => SpanNames.GetOrAdd(methodTag, static m => "pipe " + m);

    /// <summary>ok, or error_&lt;code&gt; (the protocol's codes are a fixed list).</summary>
    public static string OutcomeOf(JsonRpcMessage answer) =>
        answer is JsonRpcError { Error: { } error } ? "error_" + ((int)error.Code).ToString(System.Globalization.CultureInfo.InvariantCulture) : "ok";

    public static void Called(string method, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { MiddlewareTelemetry.Tags.Method, method }, { MiddlewareTelemetry.Tags.Outcome, outcome } };
        Calls.Add(1, tags);
        CallDuration.Record(elapsed.TotalSeconds, tags);
    }
}
