using Microsoft.Extensions.Hosting;
using Middleware.Contracts.Readers;
using Middleware.PluginHost;

namespace Middleware.Host.Status;

/// <summary>
/// The last taps and failed reads of every reader (<c>card.tapped</c>, <c>card.readFailed</c>), for the status page:
/// when a cashier calls, the operator sees whether the card reached the host at all. Card numbers are masked.
/// </summary>
internal sealed class RecentCardEvents(ICardEventSource source, TimeProvider time) : IReaderEventSink, IHostedService
{
    public const int Capacity = 50;

    // A plugin's detail is support text; bounded so a chatty plugin cannot fill the page.
    private const int MaxDetail = 300;

    private readonly BoundedRing<CardEventRow> _ring = new(Capacity);
    private IDisposable? _subscription;

    public IReadOnlyList<CardEventRow> Snapshot() => _ring.Snapshot();

    public void CardTapped(CardTapped tapped) =>
        _ring.Add(new CardEventRow(tapped.At, "tapped", tapped.Card.ReaderName, tapped.Card.MaskedIdSupport, tapped.Card.Technology.ToString(), null, null));

    public void CardReadFailed(CardReadFailed failed) =>
        _ring.Add(new CardEventRow(failed.At, "readFailed", failed.ReaderName, null, null, failed.Error.ToString(), Bound(failed.Detail)));

    public void CardRemoved(CardRemoved removed)
    {
        // Removals are routine: not kept, so taps and failures stay longer in the ring.
    }

    public void ReadersChanged(string pluginId) =>
        _ring.Add(new CardEventRow(time.GetUtcNow(), "readersChanged", pluginId, null, null, null, null));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = source.Subscribe(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private static string? Bound(string? text) => text is { Length: > MaxDetail } ? text[..MaxDetail] + "…" : text;
}
