using Microsoft.Extensions.Options;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Scripting.Engine;

/// <summary>
/// Checks the <c>Scripting</c> section at start: the scripts folder exists (each point of sale's site in it is checked
/// by <see cref="ScriptSitesValidator"/>), and every budget is positive (a zero budget would refuse every sale, a negative one
/// would not bound anything).
/// </summary>
internal sealed class ScriptingOptionsValidator : IValidateOptions<ScriptingOptions>
{
    private const string Section = ScriptingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, ScriptingOptions options)
    {
        var failures = new List<string>();
        var root = options.ResolvedRoot;
        if (!Directory.Exists(root))
        {
            failures.Add($"{Section}:ScriptsRoot: '{Printable(options.ScriptsRoot)}' is not a folder (resolved to {root}).");
        }

        Positive(failures, nameof(ScriptingOptions.DebounceMilliseconds), options.DebounceMilliseconds);
        Positive(failures, nameof(ScriptingOptions.MaxSteps), options.MaxSteps);
        Positive(failures, nameof(ScriptingOptions.MaxCallDepth), options.MaxCallDepth);
        Positive(failures, nameof(ScriptingOptions.MaxDurationMilliseconds), options.MaxDurationMilliseconds);
        Positive(failures, nameof(ScriptingOptions.MaxAllocatedBytes), options.MaxAllocatedBytes);
        Positive(failures, nameof(ScriptingOptions.MaxStringLength), options.MaxStringLength);
        Positive(failures, nameof(ScriptingOptions.MaxElements), options.MaxElements);
        Positive(failures, nameof(ScriptingOptions.MaxCompileMilliseconds), options.MaxCompileMilliseconds);
        if (string.IsNullOrWhiteSpace(options.DefaultTimeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(options.DefaultTimeZone, out _))
        {
            failures.Add($"{Section}:DefaultTimeZone: '{Printable(options.DefaultTimeZone)}' is not a time zone of this system (an IANA name such as Europe/Paris).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, long value)
    {
        if (value <= 0)
        {
            failures.Add($"{Section}:{setting}: '{value}' must be positive.");
        }
    }
}
