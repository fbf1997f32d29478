using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Middleware.Host.Health;

/// <summary>The JSON of <c>GET /health</c>: <c>{"status":"Healthy","duration":"00:00:00.0123","entries":{"vem":{...}}}</c>.</summary>
internal sealed record HealthReportJson(string Status, string Duration, IReadOnlyDictionary<string, HealthReportJson.Entry> Entries)
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    // Data: the check's figures (latency, counts, free bytes), numbers and short texts, no secret.
    internal sealed record Entry(string Status, string? Description, string Duration, IReadOnlyDictionary<string, object>? Data);

    public static HealthReportJson From(HealthReport report) => new(
        report.Status.ToString(),
        report.TotalDuration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        report.Entries.ToDictionary(e => e.Key, e => new Entry(
            e.Value.Status.ToString(),
            e.Value.Description ?? e.Value.Exception?.Message,
            e.Value.Duration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            e.Value.Data.Count == 0 ? null : e.Value.Data), StringComparer.Ordinal));
}
