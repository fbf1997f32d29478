using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace TestPlugin.Hanging;

/// <summary>Ignores the call's cancellation token: ReadCardAsync (and StartAsync when settings say <c>hangOnStart</c>)
/// only end when the host stops the instance.</summary>
public sealed class HangingPlugin : ITerminalPlugin
{
    private IPluginContext? _context;

    public PluginMetadata Metadata { get; } = new("test.hanging", "1.0.0", ContractInfo.Version, "Hanging test plugin");

    public async Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _context = context;
        if (context.GetSettings<HangingSettings>().HangOnStart)
        {
            await Task.Delay(Timeout.Infinite, context.Stopping);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new TerminalPaymentResult(TerminalPaymentOutcome.NotCompleted, request.Amount, "test plugin"));

    public IReadOnlyList<ReaderDescriptor> GetTerminals() => [];

    public async Task<CardIdentity> ReadCardAsync(string terminalName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, _context!.Stopping);
        throw new InvalidOperationException("unreachable");
    }
}

public sealed class HangingSettings
{
    public bool HangOnStart { get; set; }
}
