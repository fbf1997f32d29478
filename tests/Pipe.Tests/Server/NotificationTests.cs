using Middleware.Client;
using Middleware.Contracts.Readers;

namespace Middleware.Pipe.Tests.Server;

public sealed class NotificationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 11, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Card_events_reach_only_the_tills_of_the_readers_point_of_sale()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var tillA = await harness.ConnectAsync(PipeServerHarness.PosA);
        await using var tillA2 = await harness.ConnectAsync(PipeServerHarness.PosA);
        await using var tillB = await harness.ConnectAsync(PipeServerHarness.PosB);
        await using var noHello = await harness.ConnectAsync(pointOfSale: null);
        var a = Record(tillA);
        var a2 = Record(tillA2);
        var b = Record(tillB);
        var silent = Record(noHello);
        Assert.Equal(1, harness.CardEvents.Subscribers);

        var card = new CardIdentity("12345678901", "0123456789ABCD", CardTechnology.Desfire, "Reader A", "SAM-1", true, 5, new DateOnly(2024, 9, 1));
        harness.CardEvents.Raise(s => s.CardTapped(new CardTapped(card, At)));
        harness.CardEvents.Raise(s => s.CardReadFailed(new CardReadFailed("Reader A", CardReadError.AuthenticationFailed, "SAM refused", At)));
        harness.CardEvents.Raise(s => s.CardRemoved(new CardRemoved("reader a", At)));
        // A reader of the other point of sale, and one nobody lists.
        harness.CardEvents.Raise(s => s.CardRemoved(new CardRemoved("Reader B", At)));
        harness.CardEvents.Raise(s => s.CardRemoved(new CardRemoved("Reader C", At)));

        var tapped = await a.Tapped.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(new CardTappedEvent("Reader A", "Desfire", "12345678901", "0123456789ABCD", true, "SAM-1", 5, new DateOnly(2024, 9, 1), At), tapped);
        var failed = await a.Failed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(new CardReadFailedEvent("Reader A", "AuthenticationFailed", 1201, "Carte non reconnue : authentification refusée.", "SAM refused", At), failed);
        Assert.Equal(new CardRemovedEvent("reader a", At), await a.Removed.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("Reader A", (await a2.Tapped.Task.WaitAsync(TimeSpan.FromSeconds(20))).Reader);
        Assert.Equal("Reader B", (await b.Removed.Task.WaitAsync(TimeSpan.FromSeconds(20))).Reader);

        // Round trips on each connection: any notification sent before them has arrived by now (one ordered stream).
        await tillA.PingAsync();
        await tillB.PingAsync();
        await noHello.HelloAsync(PipeServerHarness.PosB);
        Assert.Equal(1, a.Count);
        Assert.Equal(3, a.Total);
        Assert.Equal(0, b.Count);
        Assert.Equal(1, b.Total);
        Assert.Equal(0, silent.Total);
    }

    [Fact]
    public async Task Readers_changed_reaches_every_till_and_stopping_unsubscribes()
    {
        var harness = await PipeServerHarness.StartAsync();
        var cardEvents = harness.CardEvents;
        await using var till = await harness.ConnectAsync(PipeServerHarness.PosB);
        var changed = new TaskCompletionSource<ReadersChangedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        till.ReadersChanged += (_, e) => changed.TrySetResult(e);

        harness.CardEvents.Raise(s => s.ReadersChanged("reader.desfire"));

        Assert.Equal("reader.desfire", (await changed.Task.WaitAsync(TimeSpan.FromSeconds(20))).PluginId);
        await harness.DisposeAsync();
        Assert.Equal(0, cardEvents.Subscribers);
    }

    private static Recorder Record(MiddlewareClient client)
    {
        var recorder = new Recorder();
        client.CardTapped += (_, e) => { recorder.Add(); recorder.Tapped.TrySetResult(e); };
        client.CardReadFailed += (_, e) => { recorder.Add(); recorder.Failed.TrySetResult(e); };
        client.CardRemoved += (_, e) => { recorder.Add(); recorder.Removed.TrySetResult(e); };
        return recorder;
    }

    private sealed class Recorder
    {
        private int total;

        public TaskCompletionSource<CardTappedEvent> Tapped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<CardReadFailedEvent> Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<CardRemovedEvent> Removed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Total => Volatile.Read(ref total);

        public int Count => Tapped.Task.IsCompleted ? 1 : 0;

        public void Add() => Interlocked.Increment(ref total);
    }
}
