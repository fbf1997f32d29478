using Microsoft.Extensions.Options;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Api.Reference;

/// <summary>Checks the <c>CrousApis:Reference</c> section at start: a store path, and a schedule whose delays are
/// positive and ordered (a zero interval would sync in a loop).</summary>
internal sealed class ReferenceOptionsValidator : IValidateOptions<ReferenceOptions>
{
    private const string Section = ReferenceOptions.Section;

    public ValidateOptionsResult Validate(string? name, ReferenceOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add($"{Section}:DatabasePath: '{Printable(options.DatabasePath)}' is empty; name the SQLite file of the reference data.");
        }

        Positive(failures, nameof(ReferenceOptions.SyncInterval), options.SyncInterval);
        Positive(failures, nameof(ReferenceOptions.RetryBaseDelay), options.RetryBaseDelay);
        Positive(failures, nameof(ReferenceOptions.RetryMaxDelay), options.RetryMaxDelay);
        Positive(failures, nameof(ReferenceOptions.StaleAfter), options.StaleAfter);
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"{Section}:RetryMaxDelay: '{options.RetryMaxDelay}' must be at least {Section}:RetryBaseDelay ({options.RetryBaseDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{setting}: '{value}' must be positive.");
        }
    }
}
