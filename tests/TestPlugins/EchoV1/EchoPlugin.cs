using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace TestPlugin.Echo;

/// <summary>Echo test plugin, version 1: ReadCardAsync(x) answers a card whose IdSupport is "v1:" + prefix + x.</summary>
public sealed class EchoPlugin : ITerminalPlugin
{
    private const string Tag = "v1";
    private IPluginContext? _context;
    private IReaderEventSink? _sink;
    private string _prefix = "";

    public PluginMetadata Metadata { get; } = new("test.echo", "1.0.0", ContractInfo.Version, "Echo test plugin v1");

    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _context = context;
        _prefix = context.GetSettings<EchoSettings>().Prefix ?? "";
        _sink = context.GetService<IReaderEventSink>();
        _sink?.ReadersChanged(Metadata.Id);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sink = null;
        _context = null;
        return Task.CompletedTask;
    }

    public Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new TerminalPaymentResult(TerminalPaymentOutcome.NotCompleted, request.Amount, "test plugin"));

    public IReadOnlyList<ReaderDescriptor> GetTerminals() =>
        [new ReaderDescriptor("echo-" + Tag, Metadata.Id, [CardTechnology.Desfire], ReaderState.Empty)];

    public async Task<CardIdentity> ReadCardAsync(string terminalName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (terminalName == "not-izly")
        {
            throw new CardReadException(CardReadError.NotAnIzlyCard, "No Izly application on this card.");
        }

        var card = new CardIdentity(Tag + ":" + _prefix + terminalName, "0123456789ABCD", CardTechnology.Desfire, terminalName, null, false);
        if (terminalName == "tap" && _context is { } context)
        {
            _sink?.CardTapped(new CardTapped(card, context.Time.GetUtcNow()));
        }

        return card;
    }
}

public sealed class EchoSettings
{
    public string? Prefix { get; set; }
}
