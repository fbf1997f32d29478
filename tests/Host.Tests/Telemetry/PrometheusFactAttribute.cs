namespace Middleware.Host.Tests.Telemetry;

/// <summary>
/// A test that needs Debian's <c>prometheus</c> (apt-get install prometheus). Skipped when it is missing on a developer
/// machine; on CI (CI set, as .ci/run does, which installs it) it runs and fails with a clear message instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PrometheusFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Found = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "prometheus")).FirstOrDefault(File.Exists));

    public PrometheusFactAttribute()
    {
        if (Found.Value is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = "prometheus is not installed (apt-get install prometheus); on CI this fails instead of skipping.";
        }
    }

    public static string Executable => Found.Value
        ?? throw new InvalidOperationException("prometheus is required by the metrics scrape test and is not installed (CI installs it in .ci/run).");
}
