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
    public ConfigurationStartupCheck(IStartupValidator? validator = null) => validator?.Validate();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
