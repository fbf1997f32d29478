using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace TestPlugin.Throwing;

/// <summary>Throws in StartAsync when settings say <c>throwOnStart</c>, and on every ReadCardAsync.</summary>
public sealed class ThrowingPlugin : ITerminalPlugin
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

    public Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new TerminalPaymentResult(TerminalPaymentOutcome.NotCompleted, request.Amount, "test plugin"));

    public IReadOnlyList<ReaderDescriptor> GetTerminals() => [];

    public Task<CardIdentity> ReadCardAsync(string terminalName, TimeSpan timeout, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Call failed on purpose.");
}

public sealed class ThrowingSettings
{
    public bool ThrowOnStart { get; set; }
}
