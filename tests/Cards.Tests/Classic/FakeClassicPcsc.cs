using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.VirtualCards;

namespace Middleware.Cards.Tests.Classic;

/// <summary>An in-memory PC/SC service with one reader holding a virtual card (<see cref="IVirtualCard"/>); a card whose
/// <see cref="Leaves"/> says so leaves the field during that APDU, reported as <c>RemovedCard</c>.</summary>
internal sealed class FakeClassicPcsc : ISmartCardSystem
{
    private readonly Lock _gate = new();
    private readonly string _reader;
    private TaskCompletionSource _changed = NewSignal();
    private IVirtualCard? _card;
    private Func<byte[], bool>? _leaves;
    private int _events;

    public FakeClassicPcsc(string reader) => _reader = reader;

    /// <summary>Every command APDU sent, in order.</summary>
    public List<byte[]> Apdus { get; } = [];

    public void Insert(IVirtualCard card, Func<byte[], bool>? leaves = null)
    {
        lock (_gate)
        {
            _card = card;
            _leaves = leaves;
            Apdus.Clear();
            card.PowerOn();
            _events++;
            Signal();
        }
    }

    public void Remove()
    {
        lock (_gate)
        {
            _card = null;
            _events++;
            Signal();
        }
    }

    public Task<IReadOnlyList<string>> ListReadersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([_reader]);

    public Task<IReadOnlyList<SmartCardReaderStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Snapshot());
        }
    }

    public async Task<IReadOnlyList<SmartCardReaderStatus>> WaitForChangeAsync(IReadOnlyList<SmartCardReaderStatus> known, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var now = Snapshot();
                if (known.Count != 1 || known[0].EventCount != now[0].EventCount || known[0].State != now[0].State)
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
                    return Snapshot();
                }
            }
        }
    }

    public Task<ISmartCardConnection> ConnectAsync(string readerName, SmartCardShareMode shareMode, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (readerName != _reader)
            {
                throw new SmartCardException(SmartCardError.UnknownReader, 0x80100009, "unknown reader");
            }

            var card = _card ?? throw new SmartCardException(SmartCardError.NoSmartcard, 0x8010000C, "no card");
            return Task.FromResult<ISmartCardConnection>(new Connection(this, card));
        }
    }

    private byte[] Transmit(IVirtualCard card, byte[] apdu)
    {
        lock (_gate)
        {
            if (_card != card)
            {
                throw new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "card removed");
            }

            Apdus.Add(apdu);
            if (_leaves?.Invoke(apdu) == true)
            {
                _card = null;
                _events++;
                Signal();
                throw new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "card removed");
            }

            return card.Transmit(apdu);
        }
    }

    private IReadOnlyList<SmartCardReaderStatus> Snapshot() =>
        [new SmartCardReaderStatus(_reader, _card is null ? SmartCardReaderState.Empty : SmartCardReaderState.CardPresent, _card?.Atr ?? ReadOnlyMemory<byte>.Empty, _events)];

    private void Signal()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Connection(FakeClassicPcsc system, IVirtualCard card) : ISmartCardConnection
    {
        private bool _closed;

        public string ReaderName => system._reader;

        public ReadOnlyMemory<byte> Atr => card.Atr;

        public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(system.Transmit(card, apdu.ToArray()));
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

/// <summary>A card whose answers to some commands are replaced: hostile or broken readers and cards.</summary>
internal sealed class InterceptedCard(IVirtualCard inner, Func<byte[], byte[]?> intercept) : IVirtualCard
{
    public ReadOnlyMemory<byte> Atr => inner.Atr;

    public void PowerOn() => inner.PowerOn();

    public void PowerOff() => inner.PowerOff();

    public void Reset() => inner.Reset();

    public byte[] Transmit(ReadOnlySpan<byte> apdu) => intercept(apdu.ToArray()) ?? inner.Transmit(apdu);
}
