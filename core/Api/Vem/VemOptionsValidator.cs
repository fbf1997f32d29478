using Microsoft.Extensions.Options;
using Middleware.Api.Http;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Api.Vem;

/// <summary>Checks the <c>CrousApis:Vem</c> section at start: URLs, environment, timeouts and retries, and the OAuth
/// client id when that scheme is chosen (the secret itself is the secrets check's, and is never quoted).</summary>
/// <param name="sandbox">Whether the embedded sandbox is on (plain http then allowed beyond loopback).</param>
internal sealed class VemOptionsValidator(bool sandbox) : IValidateOptions<VemOptions>
{
    private const string Section = VemOptions.Section;

    public ValidateOptionsResult Validate(string? name, VemOptions options)
    {
        var failures = new List<string>();
        ApiSettingRules.Url(failures, Section + ":BaseUrl", options.BaseUrl, sandbox);
        ApiSettingRules.Url(failures, Section + ":OAuthTokenUrl", options.OAuthTokenUrl, sandbox, required: false);
        if (options.Environment is not ("PRD" or "PPD"))
        {
            failures.Add($"{Section}:Environment: '{Printable(options.Environment)}' must be PRD or PPD.");
        }

        if (!Enum.IsDefined(options.AuthScheme))
        {
            failures.Add($"{Section}:AuthScheme: '{options.AuthScheme}' must be InstallationKey or OAuth2ClientCredentials.");
        }
        else if (options.AuthScheme == VemAuthScheme.OAuth2ClientCredentials && string.IsNullOrWhiteSpace(options.OAuthClientId))
        {
            failures.Add($"{Section}:OAuthClientId: '{Printable(options.OAuthClientId)}' is empty but AuthScheme is OAuth2ClientCredentials.");
        }

        ApiSettingRules.Span(failures, Section + ":Timeout", options.Timeout);
        ApiSettingRules.Retry(failures, Section, options.Retry);
        ApiSettingRules.ResponseSize(failures, Section + ":MaxResponseBytes", options.MaxResponseBytes);
        if (options.TokenRefreshMargin < TimeSpan.Zero || options.TokenRefreshMargin >= options.DefaultTokenLifetime)
        {
            failures.Add($"{Section}:TokenRefreshMargin: '{options.TokenRefreshMargin}' must be from 0 to less than {Section}:DefaultTokenLifetime ({options.DefaultTokenLifetime}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
