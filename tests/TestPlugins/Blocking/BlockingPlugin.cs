using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace TestPlugin.Blocking;

/// <summary>
/// Blocks its caller's thread synchronously (Thread.Sleep, no await) in the place its settings name
/// (<c>blockIn</c>: StartAsync, StopAsync, Dispose, ReadCardAsync or GetTerminals), or in its constructor when a file
/// <c>block-in-constructor</c> lies beside its assembly. It blocks until a file <c>release</c> appears beside its
/// assembly (the tests write it to end the abandoned threads), for 10 minutes at most.
/// </summary>
public sealed class BlockingPlugin : ITerminalPlugin, IDisposable
{
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(10);
    private readonly string _folder;
    private string? _blockIn;

    public BlockingPlugin()
    {
        _folder = Path.GetDirectoryName(typeof(BlockingPlugin).Assembly.Location) ?? AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(_folder, "block-in-constructor")))
        {
            Block();
        }
    }

    public PluginMetadata Metadata { get; } = new("test.blocking", "1.0.0", ContractInfo.Version, "Blocking test plugin");

    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _blockIn = context.GetSettings<BlockingSettings>().BlockIn;
        BlockIf(nameof(StartAsync));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        BlockIf(nameof(StopAsync));
        return Task.CompletedTask;
    }

    public void Dispose() => BlockIf(nameof(Dispose));

    public Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new TerminalPaymentResult(TerminalPaymentOutcome.NotCompleted, request.Amount, "test plugin"));

    public IReadOnlyList<ReaderDescriptor> GetTerminals()
    {
        BlockIf(nameof(GetTerminals));
        return [new ReaderDescriptor("blocking", Metadata.Id, [CardTechnology.Desfire], ReaderState.Empty)];
    }

    public Task<CardIdentity> ReadCardAsync(string terminalName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        BlockIf(nameof(ReadCardAsync));
        return Task.FromResult(new CardIdentity("blocking:" + terminalName, "0123456789ABCD", CardTechnology.Desfire, terminalName, null, false));
    }

    private void BlockIf(string place)
    {
        if (string.Equals(_blockIn, place, StringComparison.Ordinal))
        {
            Block();
        }
    }

    private void Block()
    {
        var release = Path.Combine(_folder, "release");
        var until = DateTime.UtcNow + Longest;
        while (!File.Exists(release) && DateTime.UtcNow < until)
        {
            Thread.Sleep(20); // on purpose: a synchronous block that ignores every token
        }
    }
}

public sealed class BlockingSettings
{
    public string? BlockIn { get; set; }
}
