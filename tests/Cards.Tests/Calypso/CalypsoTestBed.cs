using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Calypso;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Calypso;

namespace Middleware.Cards.Tests.Calypso;

/// <summary>The Calypso plugin started on a fake plugin context, reading virtual Calypso cards through a fake PC/SC
/// connection that records the APDUs and can replace answers (hostile cards) or lose the card.</summary>
internal sealed class CalypsoTestBed : IAsyncDisposable
{
    public const string Reader = "Virtual Reader 00";

    private CalypsoTestBed(FakePluginContext context, FakeTimeProvider time)
    {
        Context = context;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public FakePluginContext Context { get; }

    public CalypsoReaderPlugin Plugin { get; } = new();

    public static async Task<CalypsoTestBed> StartAsync(string settings = "{}")
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var context = new FakePluginContext(time, JsonDocument.Parse(settings).RootElement.Clone());
        var bed = new CalypsoTestBed(context, time);
        await bed.Plugin.StartAsync(context, CancellationToken.None);
        return bed;
    }

    public Task<CardIdentity> ReadAsync(FakeCalypsoConnection card) => Plugin.ReadAsync(card, CancellationToken.None);

    public CardClaim? Claim(string atrHex) => Plugin.Claim(new PresentedCard(Reader, Convert.FromHexString(atrHex.Replace(" ", "", StringComparison.Ordinal))));

    public async ValueTask DisposeAsync() => await Plugin.StopAsync(CancellationToken.None);
}

/// <summary>A connected card: a virtual card behind a fake PC/SC connection.</summary>
internal sealed class FakeCalypsoConnection(IVirtualCard card) : IPcscCard
{
    public string ReaderName => CalypsoTestBed.Reader;

    public ReadOnlyMemory<byte> Atr { get; init; } = card.Atr;

    public List<string> Apdus { get; } = [];

    /// <summary>Replaces the answer to the APDU whose instruction byte is the key (a hostile or broken card).</summary>
    public Dictionary<byte, byte[]> Answers { get; } = [];

    /// <summary>Blocks the answer until the token is cancelled (a mute card).</summary>
    public bool Mute { get; init; }

    /// <summary>Runs before each answer is returned: a reader whose transmit ignores cancellation and answers late.</summary>
    public Action? AnswerLate { get; init; }

    public async Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Apdus.Add(Convert.ToHexString(apdu.Span));
        if (Mute)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        AnswerLate?.Invoke();
        if (card is VirtualCalypsoCard calypso && calypso.LeavesFieldBefore(apdu.Span))
        {
            throw new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "card removed");
        }

        return apdu.Length >= 2 && Answers.TryGetValue(apdu.Span[1], out var answer) ? answer : card.Transmit(apdu.Span);
    }
}
