using Middleware.Contracts;
using Middleware.Contracts.Plugins;

namespace TestPlugin.WrongContract;

/// <summary>Says it was built for the next major contract version: the host must refuse it (NotSupported).</summary>
public sealed class WrongContractPlugin : IPlugin
{
    public PluginMetadata Metadata { get; } = new("test.wrongcontract", "1.0.0", new Version(ContractInfo.Major + 1, 0), "Wrong contract test plugin");

    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
