using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Middleware.Host;

/// <summary>
/// The very first hosted service: runs every <c>ValidateOnStart</c> check of the features (their
/// <see cref="IValidateOptions{TOptions}"/> classes) in its constructor, all of them, and fails with every failure at
/// once. The generic host runs these checks only after it has built its hosted services, and building one (the reference
/// sync, the outbox) already reads its options: the first bad section would then stop the host alone, and a store could
/// be opened before the check. Registered before <see cref="Security.PrivateFilesStartupCheck"/>.
/// </summary>
internal sealed class ConfigurationStartupCheck : IHostedService
{
    /// <summary>How the configuration binder starts the message of a value it cannot convert (it names the path and the
    /// value: "Failed to convert configuration value 'abc' at 'Payments:DebitTimeout' to type 'System.TimeSpan'.").</summary>
    internal const string BinderFailurePrefix = "Failed to convert configuration value ";

    public ConfigurationStartupCheck(IStartupValidator? validator = null)
    {
        try
        {
            validator?.Validate();
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith(BinderFailurePrefix, StringComparison.Ordinal))
        {
            // A value that does not even bind (a word for a duration): a refused setting like the others, not a crash.
            throw new OptionsValidationException("Configuration", typeof(ConfigurationStartupCheck), [ex.Message]);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
