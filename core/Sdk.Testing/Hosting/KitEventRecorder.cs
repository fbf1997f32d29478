using System.Threading.Channels;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Testing.Hosting;

/// <summary>The card events the host publishes, kept in order for the checks to wait on.</summary>
internal sealed class KitEventRecorder : IReaderEventSink
{
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();

    public void CardTapped(CardTapped tapped) => _events.Writer.TryWrite(tapped);

    public void CardReadFailed(CardReadFailed failed) => _events.Writer.TryWrite(failed);

    public void CardRemoved(CardRemoved removed) => _events.Writer.TryWrite(removed);

    public void ReadersChanged(string pluginId)
    {
    }

    /// <summary>Forgets what happened before a check starts.</summary>
    public void Clear()
    {
        while (_events.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>The next event on <paramref name="reader"/> (others are skipped), or null when none came in time.</summary>
    public async Task<object?> NextAsync(string reader, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                var on = next switch
                {
                    CardTapped t => t.Card.ReaderName,
                    CardReadFailed f => f.ReaderName,
                    CardRemoved r => r.ReaderName,
                    _ => null,
                };
                if (on == reader)
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The next outcome of a read on <paramref name="reader"/> (<c>CardTapped</c> or <c>CardReadFailed</c>),
    /// skipping removals (a previous card's removal may be reported late), or null when none came in time.</summary>
    public async Task<object?> NextOutcomeAsync(string reader, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var next = left > TimeSpan.Zero ? await NextAsync(reader, left).ConfigureAwait(false) : null;
            if (next is not Contracts.Readers.CardRemoved)
            {
                return next;
            }
        }
    }

    /// <summary>Waits until a removal on <paramref name="reader"/> is reported (or the time is up).</summary>
    public async Task WaitForRemovalAsync(string reader, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var next = left > TimeSpan.Zero ? await NextAsync(reader, left).ConfigureAwait(false) : null;
            if (next is null or Contracts.Readers.CardRemoved)
            {
                return;
            }
        }
    }

    /// <summary>A readable form of an event for the report (card numbers masked).</summary>
    public static string Describe(object? e) => e switch
    {
        null => "no event",
        CardTapped t => $"CardTapped {t.Card.MaskedIdSupport}",
        CardReadFailed f => $"CardReadFailed {f.Error} ({f.Detail})",
        Contracts.Readers.CardRemoved => "CardRemoved",
        _ => e.GetType().Name,
    };
}
