using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Cards.Tests.Desfire;

/// <summary>An in-memory PC/SC service: readers, cards inserted and removed, the service stopped and started.</summary>
internal sealed class FakeSmartCardSystem : ISmartCardSystem
{
    private readonly Lock _gate = new();
    private readonly List<Slot> _slots = [];
    private TaskCompletionSource _changed = NewSignal();
    private bool _down;

    public int Connects { get; private set; }

    /// <summary>Simulates a service whose waits return at once without a change.</summary>
    public bool ReturnsEarly { get; set; }

    public int Waits { get; private set; }

    public void AddReader(string name)
    {
        lock (_gate)
        {
            _slots.Add(new Slot(name));
            Signal();
        }
    }

    /// <summary>Inserts a card; with <paramref name="removeAfterApdus"/> it leaves during that APDU, reported as
    /// <c>RemovedCard</c> or, when <paramref name="emptyAnswer"/>, as an empty answer (as some drivers do).</summary>
    public void Insert(string reader, SimulatedDesfireCard card, int? removeAfterApdus = null, bool emptyAnswer = false, int? emptyAnswerAt = null)
    {
        lock (_gate)
        {
            var slot = _slots.Single(s => s.Name == reader);
            slot.Card = card;
            slot.RemoveAfterApdus = removeAfterApdus;
            slot.EmptyAnswer = emptyAnswer;
            slot.EmptyAnswerAt = emptyAnswerAt;
            slot.Apdus = 0;
            slot.Events++;
            Signal();
        }
    }

    public void Remove(string reader)
    {
        lock (_gate)
        {
            var slot = _slots.Single(s => s.Name == reader);
            slot.Card = null;
            slot.Events++;
            Signal();
        }
    }

    public void StopService()
    {
        lock (_gate)
        {
            _down = true;
            Signal();
        }
    }

    public void StartService()
    {
        lock (_gate)
        {
            _down = false;
            Signal();
        }
    }

    public Task<IReadOnlyList<string>> ListReadersAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfDown();
            return Task.FromResult<IReadOnlyList<string>>([.. _slots.Select(s => s.Name)]);
        }
    }

    public Task<IReadOnlyList<SmartCardReaderStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfDown();
            return Task.FromResult(Snapshot());
        }
    }

    // The wait ends on a change, a service loss, cancellation or the timeout (real time, as PC/SC's own).
    public async Task<IReadOnlyList<SmartCardReaderStatus>> WaitForChangeAsync(IReadOnlyList<SmartCardReaderStatus> known, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                Waits++;
                ThrowIfDown();
                var now = Snapshot();
                if (ReturnsEarly || !Same(now, known))
                {
                    return now;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    ThrowIfDown();
                    return Snapshot();
                }
            }
        }
    }

    public Task<ISmartCardConnection> ConnectAsync(string readerName, SmartCardShareMode shareMode, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfDown();
            var slot = _slots.FirstOrDefault(s => s.Name == readerName)
                ?? throw new SmartCardException(SmartCardError.UnknownReader, 0x80100009, "unknown reader");
            var card = slot.Card ?? throw new SmartCardException(SmartCardError.NoSmartcard, 0x8010000C, "no card");
            Connects++;
            return Task.FromResult<ISmartCardConnection>(new Connection(this, slot, card));
        }
    }

    private byte[] Transmit(Slot slot, SimulatedDesfireCard card, byte[] apdu)
    {
        lock (_gate)
        {
            ThrowIfDown();
            if (slot.Card != card)
            {
                throw new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "card removed");
            }

            slot.Apdus++;
            if (slot.RemoveAfterApdus == slot.Apdus)
            {
                slot.Card = null;
                slot.Events++;
                Signal();
                return slot.EmptyAnswer ? [] : throw new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "card removed");
            }

            if (slot.EmptyAnswerAt == slot.Apdus)
            {
                return [];
            }

            return card.Process(apdu);
        }
    }

    private IReadOnlyList<SmartCardReaderStatus> Snapshot() =>
        [.. _slots.Select(s => new SmartCardReaderStatus(
            s.Name,
            s.Card is null ? SmartCardReaderState.Empty : SmartCardReaderState.CardPresent,
            s.Card?.Atr ?? ReadOnlyMemory<byte>.Empty,
            s.Events))];

    private static bool Same(IReadOnlyList<SmartCardReaderStatus> a, IReadOnlyList<SmartCardReaderStatus> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.ReaderName == p.Second.ReaderName && p.First.State == p.Second.State && p.First.EventCount == p.Second.EventCount);

    private void ThrowIfDown()
    {
        if (_down)
        {
            throw new SmartCardException(SmartCardError.NoService, 0x8010001D, "no service");
        }
    }

    private void Signal()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Slot(string name)
    {
        public string Name { get; } = name;

        public SimulatedDesfireCard? Card { get; set; }

        public int? RemoveAfterApdus { get; set; }

        public bool EmptyAnswer { get; set; }

        public int? EmptyAnswerAt { get; set; }

        public int Apdus { get; set; }

        public int Events { get; set; }
    }

    private sealed class Connection(FakeSmartCardSystem system, Slot slot, SimulatedDesfireCard card) : ISmartCardConnection
    {
        private bool _closed;

        public string ReaderName => slot.Name;

        public ReadOnlyMemory<byte> Atr => card.Atr;

        public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(system.Transmit(slot, card, apdu.ToArray()));
        }

        public Task DisconnectAsync(SmartCardDisposition disposition, CancellationToken cancellationToken)
        {
            _closed = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _closed = true;
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Records what a reader plugin reports.</summary>
internal sealed class RecordingSink : IReaderEventSink
{
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();

    public int ReadersChangedCount { get; private set; }

    public void CardTapped(CardTapped tapped) => _events.Writer.TryWrite(tapped);

    public void CardReadFailed(CardReadFailed failed) => _events.Writer.TryWrite(failed);

    public void CardRemoved(CardRemoved removed) => _events.Writer.TryWrite(removed);

    public void ReadersChanged(string pluginId) => ReadersChangedCount++;

    /// <summary>The next card event (the real-time limit only guards against a hung test).</summary>
    public async Task<object> NextAsync() => await _events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    public async Task<T> NextAsync<T>()
    {
        var next = await NextAsync();
        return next is T t ? t : throw new InvalidOperationException($"Expected {typeof(T).Name}, got {next}.");
    }

    public bool TryPeek(out object? next) => _events.Reader.TryPeek(out next);
}

/// <summary>Captures formatted log lines so tests can check what is (not) logged.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add($"{logLevel}: {formatter(state, exception)} {exception?.Message}");
        }
    }
}

internal sealed class FakePluginContext(TimeProvider time, JsonElement settings, params object[] services) : IPluginContext
{
    private readonly CancellationTokenSource _stopping = new();

    public ListLogger Log { get; } = new();

    public ILogger Logger => Log;

    public TimeProvider Time => time;

    public JsonElement Settings => settings;

    public string PluginDirectory => AppContext.BaseDirectory;

    public CancellationToken Stopping => _stopping.Token;

    public T? GetService<T>() where T : class => services.OfType<T>().FirstOrDefault();

    // The plugin is not unloaded in these tests, so the plain binding is fine here (the host's avoids it).
    public T GetSettings<T>() where T : new() =>
        settings.ValueKind == JsonValueKind.Object ? settings.Deserialize<T>(SettingsJson.Options) ?? new T() : new T();
}

/// <summary>A typed logger writing into a <see cref="ListLogger"/>.</summary>
internal sealed class TypedLogger<T>(ListLogger inner) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, formatter);
}
