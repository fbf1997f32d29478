using System.Diagnostics;
using Xunit;

namespace Middleware.Tests.Serial;

/// <summary>
/// A test that needs socat (pty pairs). Skipped when socat is missing on a developer machine; on CI (environment
/// variable CI set, as .ci/run does) it runs and fails with a clear message instead, so a missing socat is never a
/// silent skip there.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class SocatFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Installed = new(FindSocat);

    public SocatFactAttribute()
    {
        if (!Installed.Value && !IsCi)
        {
            Skip = "socat is not installed (apt-get install socat); on CI this fails instead of skipping.";
        }
    }

    private static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static void EnsureSocat()
    {
        if (!Installed.Value)
        {
            throw new InvalidOperationException("socat is required by the serial link and Tetra tests and is not installed (CI installs it in .ci/run).");
        }
    }

    private static bool FindSocat()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "socat")));
    }
}
