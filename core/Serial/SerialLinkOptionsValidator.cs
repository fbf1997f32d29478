using Microsoft.Extensions.Options;

namespace Middleware.Serial;

/// <summary>Refuses options that would make a wait unbounded or a read unbounded.</summary>
internal sealed class SerialLinkOptionsValidator : IValidateOptions<SerialLinkOptions>
{
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, SerialLinkOptions options)
    {
        var errors = new List<string>();
        CheckSpan(errors, nameof(SerialLinkOptions.ReconnectDelay), options.ReconnectDelay, TimeSpan.FromMilliseconds(10));
        CheckSpan(errors, nameof(SerialLinkOptions.OpenTimeout), options.OpenTimeout, TimeSpan.FromMilliseconds(100));
        CheckSpan(errors, nameof(SerialLinkOptions.WriteTimeout), options.WriteTimeout, TimeSpan.FromMilliseconds(100));
        if (options.MaxReadChunk is < 16 or > 1024 * 1024)
        {
            errors.Add($"{SerialLinkOptions.SectionName}:{nameof(SerialLinkOptions.MaxReadChunk)} must be between 16 and 1048576 bytes.");
        }

        if (!Enum.IsDefined(options.Transport))
        {
            errors.Add($"{SerialLinkOptions.SectionName}:{nameof(SerialLinkOptions.Transport)} must be Auto or SystemIoPorts.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckSpan(List<string> errors, string name, TimeSpan value, TimeSpan min)
    {
        if (value < min || value > MaxDelay)
        {
            errors.Add($"{SerialLinkOptions.SectionName}:{name} must be between {min} and {MaxDelay}.");
        }
    }
}
