using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace TestPlugin.BadReader;

/// <summary>
/// Breaks the card plugin contract on purpose: it claims every card (even one of another technology) and blocks its
/// caller's thread 2 s in <see cref="Claim"/> (Thread.Sleep: I/O-like waiting on the host's event thread).
/// </summary>
public sealed class BadReaderPlugin : IPcscCardPlugin
{
    public PluginMetadata Metadata { get; } = new("test.badreader", "1.0.0", ContractInfo.Version, "Broken card plugin (kit test)");

    public IReadOnlyList<CardTechnology> Technologies { get; } = [CardTechnology.Desfire];

    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public CardClaim? Claim(PresentedCard card)
    {
        Thread.Sleep(TimeSpan.FromSeconds(2)); // on purpose: a claim must never block
        return CardClaim.Exact;
    }

    public Task<CardIdentity> ReadAsync(IPcscCard card, CancellationToken cancellationToken) =>
        Task.FromResult(new CardIdentity("1", "00000000000000", CardTechnology.Desfire, card.ReaderName, null, false));
}
