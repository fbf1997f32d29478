using Microsoft.Extensions.Options;
using Middleware.Shared.Files;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Api.Secrets;

/// <summary>
/// Checks at start the secrets file named by <c>CrousApis:Secrets:File</c> (or <c>MW_SECRETS_FILE</c>): it exists and
/// only its owner may read it (<see cref="SecretFileRule"/>, the rule <see cref="SecretStore"/> applies when it loads
/// it). Otherwise the first VEM call would fail, long after the host said it started. The file's path is quoted, never
/// its content.
/// </summary>
internal sealed class SecretsOptionsValidator(Func<string, string?> environment) : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        var (setting, path) = string.IsNullOrWhiteSpace(options.File)
            ? (SecretStore.SecretsFileVariable, environment(SecretStore.SecretsFileVariable))
            : ("CrousApis:Secrets:File", options.File);
        if (string.IsNullOrWhiteSpace(path))
        {
            return ValidateOptionsResult.Success;
        }

        return SecretFileRule.Problem(path) is { } problem
            ? ValidateOptionsResult.Fail($"{setting}: '{Printable(path)}' {problem}")
            : ValidateOptionsResult.Success;
    }
}
