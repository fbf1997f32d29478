using Microsoft.Extensions.Options;
using Middleware.Shared.Files;

namespace Middleware.Cards.Sam;

/// <summary>
/// Checks at start the SAM key file <c>Cards:SoftwareSam:KeyFile</c> when one is named: it exists and only its owner
/// may read it (<see cref="SecretFileRule"/>, what <see cref="SamKeyFile.Load"/> applies). Named but unusable, it would
/// otherwise only show as a failed read at the first card tap. No file named stays allowed: card reading is then off.
/// </summary>
internal sealed class SoftwareSamOptionsValidator : IValidateOptions<SoftwareSamOptions>
{
    public ValidateOptionsResult Validate(string? name, SoftwareSamOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.KeyFile))
        {
            return ValidateOptionsResult.Success;
        }

        return SecretFileRule.Problem(options.KeyFile) is { } problem
            ? ValidateOptionsResult.Fail($"{SoftwareSamOptions.SectionName}:{nameof(SoftwareSamOptions.KeyFile)}: '{options.KeyFile}' {problem}")
            : ValidateOptionsResult.Success;
    }
}
