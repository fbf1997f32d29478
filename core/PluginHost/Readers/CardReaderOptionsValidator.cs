using Microsoft.Extensions.Options;

namespace Middleware.PluginHost.Readers;

/// <summary>Checks the <c>CardReaders</c> section at start, naming each bad delay and its value: every delay positive
/// (a zero wait would spin on pcscd), <c>Debounce</c> from 0 to 1 s (longer would drop real taps).</summary>
internal sealed class CardReaderOptionsValidator : IValidateOptions<CardReaderOptions>
{
    private const string Section = CardReaderOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CardReaderOptions options)
    {
        var failures = new List<string>();
        Positive(failures, nameof(options.StatusWaitTimeout), options.StatusWaitTimeout);
        Positive(failures, nameof(options.ServiceRetryDelay), options.ServiceRetryDelay);
        Positive(failures, nameof(options.ClaimTimeout), options.ClaimTimeout);
        Positive(failures, nameof(options.ReadBudget), options.ReadBudget);
        Positive(failures, nameof(options.RemovalCheck), options.RemovalCheck);
        Positive(failures, nameof(options.TerminalMargin), options.TerminalMargin);
        if (options.Debounce < TimeSpan.Zero || options.Debounce > TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Section}:Debounce: '{options.Debounce}' must be from 0 to 1 s.");
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
