using Microsoft.Extensions.Options;

namespace Middleware.Host;

/// <summary>
/// What the host prints when its configuration is refused at start: every failure of every check, one per line (each
/// names its setting and the bad value), so an operator fixes them all in one pass instead of one per restart.
/// </summary>
internal static class StartupRefusal
{
    /// <summary>Exit code of a refused configuration: EX_CONFIG of sysexits.h (a systemd unit may list it in
    /// <c>RestartPreventExitStatus=</c>, since restarting cannot fix it).</summary>
    public const int ExitCode = 78;

    /// <summary>The failures behind <paramref name="error"/> when it is a refused configuration (options validation,
    /// possibly several aggregated), else null.</summary>
    public static IReadOnlyList<string>? Failures(Exception error)
    {
        var validations = error switch
        {
            OptionsValidationException single => [single],
            AggregateException many when many.Flatten().InnerExceptions.All(e => e is OptionsValidationException)
                => many.Flatten().InnerExceptions.Cast<OptionsValidationException>().ToList(),
            _ => null,
        };
        return validations?.SelectMany(v => v.Failures).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes the refusal to <paramref name="output"/>: a header line, then one indented line per failure.</summary>
    public static void Write(TextWriter output, IReadOnlyList<string> failures)
    {
        output.WriteLine($"The middleware host refuses to start: {failures.Count} configuration error{(failures.Count == 1 ? "" : "s")}.");
        foreach (var failure in failures)
        {
            output.WriteLine("  - " + failure);
        }
    }
}
