using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace TestPlugin.Throwing;

/// <summary>Throws in StartAsync when settings say <c>throwOnStart</c>, and on every ReadCardAsync.</summary>
public sealed class ThrowingPlugin : IReaderPlugin
{
    public PluginMetadata Metadata { get; } = new("test.throwing", "1.0.0", ContractInfo.Version, "Throwing test plugin");

    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        if (context.GetSettings<ThrowingSettings>().ThrowOnStart)
        {
            throw new InvalidOperationException("Start failed on purpose.");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public IReadOnlyList<ReaderDescriptor> GetReaders() => [];

    public Task<CardIdentity> ReadCardAsync(string readerName, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Call failed on purpose.");
}

public sealed class ThrowingSettings
{
    public bool ThrowOnStart { get; set; }
}
