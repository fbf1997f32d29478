using Microsoft.Extensions.Options;
using Middleware.Api.Http;

namespace Middleware.Api.Izly;

/// <summary>Checks the <c>CrousApis:Izly</c> section at start: URL, timeouts, retries and the reconciliation bounds.
/// How these timeouts nest in the payment's budgets is <c>Payments</c>' TimeoutNestingValidator's.</summary>
/// <param name="sandbox">Whether the embedded sandbox is on (plain http then allowed beyond loopback).</param>
internal sealed class IzlyOptionsValidator(bool sandbox) : IValidateOptions<IzlyOptions>
{
    private const string Section = IzlyOptions.Section;

    public ValidateOptionsResult Validate(string? name, IzlyOptions options)
    {
        var failures = new List<string>();
        ApiSettingRules.Url(failures, Section + ":BaseUrl", options.BaseUrl, sandbox);
        ApiSettingRules.Span(failures, Section + ":Timeout", options.Timeout);
        ApiSettingRules.Span(failures, Section + ":DebitTimeout", options.DebitTimeout);
        ApiSettingRules.Retry(failures, Section, options.Retry);
        ApiSettingRules.ResponseSize(failures, Section + ":MaxResponseBytes", options.MaxResponseBytes);
        if (options.OperationsPageSize is < 1 or > 500)
        {
            failures.Add($"{Section}:OperationsPageSize: '{options.OperationsPageSize}' must be from 1 to 500.");
        }

        if (options.MaxOperations < options.OperationsPageSize)
        {
            failures.Add($"{Section}:MaxOperations: '{options.MaxOperations}' must be at least {Section}:OperationsPageSize ({options.OperationsPageSize}).");
        }

        if (options.MaxOperationsRange <= TimeSpan.Zero || options.MaxOperationsRange > TimeSpan.FromDays(31))
        {
            failures.Add($"{Section}:MaxOperationsRange: '{options.MaxOperationsRange}' must be positive and at most 31 days.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
