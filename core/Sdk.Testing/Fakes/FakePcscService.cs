using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Plugins.Testing.Fakes;

/// <summary>How a card inserted in <see cref="FakePcscService"/> misbehaves.</summary>
public enum KitCardFault
{
    /// <summary>It answers as its script says.</summary>
    None,

    /// <summary>It leaves the field during the APDU numbered <c>faultAtApdu</c> (the host sees <c>RemovedCard</c>).</summary>
    RemovedDuringApdu,

    /// <summary>It never answers (the exchange waits until its token is cancelled, as a mute card behind a driver that
    /// honours cancellation).</summary>
    Mute,
}

/// <summary>
/// An in-memory PC/SC service (the host's <see cref="ISmartCardSystem"/>): readers, scripted cards inserted and removed,
/// faults on demand, and a count of open connections so a test can see that nothing is left connected.
/// Thread-safe. Register it as the host's <see cref="ISmartCardSystem"/>.
/// </summary>
public sealed class FakePcscService : ISmartCardSystem
{
    private readonly Lock _gate = new();
    private readonly List<Slot> _slots = [];
    private TaskCompletionSource _changed = NewSignal();
    private int _openConnections;

    /// <summary>How many connections were ever opened.</summary>
    public int Connects { get; private set; }

    /// <summary>How many connections are open now (connected and not yet disposed or disconnected).</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>When the card now on <paramref name="reader"/> got its first command APDU (a
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp), or null when it got none yet.</summary>
    public long? FirstApduTimestamp(string reader)
    {
        lock (_gate)
        {
            return SlotOf(reader).FirstApduAt;
        }
    }

    /// <summary>Adds a reader with no card.</summary>
    public void AddReader(string name)
    {
        lock (_gate)
        {
            _slots.Add(new Slot(name));
            Signal();
        }
    }

    /// <summary>Puts <paramref name="card"/> on <paramref name="reader"/> (replacing any card there).</summary>
    /// <param name="reader">A reader added with <see cref="AddReader"/>.</param>
    /// <param name="card">The card.</param>
    /// <param name="fault">How it misbehaves.</param>
    /// <param name="faultAtApdu">For <see cref="KitCardFault.RemovedDuringApdu"/>: the APDU (1-based) during which it leaves.</param>
    public void Insert(string reader, KitCard card, KitCardFault fault = KitCardFault.None, int faultAtApdu = 1)
    {
        ArgumentNullException.ThrowIfNull(card);
        lock (_gate)
        {
            var slot = SlotOf(reader);
            card.PowerOn();
            slot.Card = card;
            slot.StatusCard = null;
            slot.Fault = fault;
            slot.FaultAt = faultAtApdu;
            slot.Apdus = 0;
            slot.FirstApduAt = null;
            slot.Events++;
            Signal();
        }
    }

    /// <summary>Takes the card off <paramref name="reader"/>.</summary>
    public void Remove(string reader)
    {
        lock (_gate)
        {
            var slot = SlotOf(reader);
            if (slot.Card is not null || slot.StatusCard is not null)
            {
                slot.Card = null;
                slot.StatusCard = null;
                slot.Events++;
                Signal();
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListReadersAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _slots.Select(s => s.Name)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SmartCardReaderStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Snapshot());
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SmartCardReaderStatus>> WaitForChangeAsync(IReadOnlyList<SmartCardReaderStatus> known, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var now = Snapshot();
                if (!Same(now, known))
                {
                    return now;
                }

                changed = _changed.Task;
            }

            try
            {
                // Real time, as PC/SC's own waits.
                await changed.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    return Snapshot();
                }
            }
        }
    }

    /// <inheritdoc />
    public Task<ISmartCardConnection> ConnectAsync(string readerName, SmartCardShareMode shareMode, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var slot = _slots.FirstOrDefault(s => s.Name == readerName)
                ?? throw new SmartCardException(SmartCardError.UnknownReader, 0x80100009, "unknown reader");
            var card = slot.Card ?? throw new SmartCardException(SmartCardError.NoSmartcard, 0x8010000C, "no card");
            Connects++;
            Interlocked.Increment(ref _openConnections);
            return Task.FromResult<ISmartCardConnection>(new Connection(this, slot, card));
        }
    }

    private async Task<byte[]> TransmitAsync(Slot slot, KitCard card, byte[] apdu, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            if (slot.Card != card)
            {
                throw Removed();
            }

            slot.Apdus++;
            if (slot.Apdus == 1)
            {
                slot.FirstApduAt = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            if (slot.Fault == KitCardFault.RemovedDuringApdu && slot.Apdus >= slot.FaultAt)
            {
                // The exchange breaks at once; the reader's status shows the card gone only at the service's next
                // presence poll (pcsc-lite polls every 400 ms), as with a real card pulled out mid-read.
                slot.Card = null;
                slot.StatusCard = card;
                _ = ReportRemovalLaterAsync(slot, card);
                throw Removed();
            }

            if (slot.Fault != KitCardFault.Mute)
            {
                return card.Respond(apdu);
            }

            changed = _changed.Task;
        }

        // Mute: no answer until the caller gives up (or the card is taken away).
        while (true)
        {
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (slot.Card != card)
                {
                    throw Removed();
                }

                changed = _changed.Task;
            }
        }
    }

    /// <summary>How long after a card leaves mid-exchange the status shows it gone. Default 400 ms (pcsc-lite's poll).</summary>
    public TimeSpan PresencePollDelay { get; set; } = TimeSpan.FromMilliseconds(400);

    private async Task ReportRemovalLaterAsync(Slot slot, KitCard card)
    {
        await Task.Delay(PresencePollDelay).ConfigureAwait(false);
        lock (_gate)
        {
            if (slot.StatusCard == card)
            {
                slot.StatusCard = null;
                slot.Events++;
                Signal();
            }
        }
    }

    private static SmartCardException Removed() => new(SmartCardError.RemovedCard, 0x80100069, "card removed");

    private Slot SlotOf(string reader) =>
        _slots.FirstOrDefault(s => s.Name == reader) ?? throw new ArgumentException($"No reader '{reader}': add it first.", nameof(reader));

    private IReadOnlyList<SmartCardReaderStatus> Snapshot() =>
        [.. _slots.Select(s => new SmartCardReaderStatus(
            s.Name,
            (s.Card ?? s.StatusCard) is null ? SmartCardReaderState.Empty : SmartCardReaderState.CardPresent,
            (s.Card ?? s.StatusCard)?.Atr ?? ReadOnlyMemory<byte>.Empty,
            s.Events))];

    private static bool Same(IReadOnlyList<SmartCardReaderStatus> a, IReadOnlyList<SmartCardReaderStatus> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.ReaderName == p.Second.ReaderName && p.First.State == p.Second.State && p.First.EventCount == p.Second.EventCount);

    private void Signal()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Closed() => Interlocked.Decrement(ref _openConnections);

    private sealed class Slot(string name)
    {
        public string Name { get; } = name;

        public KitCard? Card { get; set; }

        /// <summary>A card that left mid-exchange but that the status still shows (until the presence poll).</summary>
        public KitCard? StatusCard { get; set; }

        public KitCardFault Fault { get; set; }

        public int FaultAt { get; set; }

        public int Apdus { get; set; }

        public long? FirstApduAt { get; set; }

        public int Events { get; set; }
    }

    private sealed class Connection(FakePcscService system, Slot slot, KitCard card) : ISmartCardConnection
    {
        private int _closed;

        public string ReaderName => slot.Name;

        public ReadOnlyMemory<byte> Atr => card.Atr;

        public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
            cancellationToken.ThrowIfCancellationRequested();
            if (apdu.Length is < 4 or > 261)
            {
                throw new SmartCardException(SmartCardError.Other, 0x80100004, $"APDU of {apdu.Length} bytes");
            }

            return system.TransmitAsync(slot, card, apdu.ToArray(), cancellationToken);
        }

        public Task DisconnectAsync(SmartCardDisposition disposition, CancellationToken cancellationToken)
        {
            Close();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Close();
            return ValueTask.CompletedTask;
        }

        private void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                system.Closed();
            }
        }
    }
}
