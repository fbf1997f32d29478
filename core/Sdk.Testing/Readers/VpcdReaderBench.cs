using Middleware.Plugins.Testing.Fakes;
using Middleware.Tests.Pcsc;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Vpcd;

namespace Middleware.Plugins.Testing.Readers;

/// <summary>The cards on a real vsmartcard-vpcd reader of pcscd, under the cross-process lock of the virtual readers.</summary>
internal sealed class VpcdReaderBench : IReaderBench
{
    private readonly FileStream _lock;
    private readonly int _port;
    private VpcdCardSlot? _slot;
    private ScriptedVirtualCard? _card;

    private VpcdReaderBench(FileStream pcscLock, string readerName, int port)
    {
        _lock = pcscLock;
        ReaderName = readerName;
        _port = port;
    }

    public string Mode => "real pcscd + vpcd";

    public string ReaderName { get; }

    public long? FirstApduTimestamp => _card?.FirstApduAt;

    public int? OpenConnections => null;

    public static async Task<VpcdReaderBench> CreateAsync(string readerName, int port)
    {
        // Other test projects drive the same virtual readers: one at a time.
        var pcscLock = await PcscTestLock.AcquireAsync(TimeSpan.FromMinutes(4)).ConfigureAwait(false);
        return new VpcdReaderBench(pcscLock, readerName, port);
    }

    // The host's PC/SC transmit is a blocking call that only the reader's driver ends; vpcd has no timeout of its own,
    // so the mute card answers late, as a real reader's driver gives up on a card that says nothing.
    public string MuteNote { get; private set; } = "";

    public async Task InsertAsync(KitCard card, KitCardFault fault = KitCardFault.None, int faultAtApdu = 1, TimeSpan? silence = null)
    {
        await RemoveAsync().ConfigureAwait(false);
        var quiet = silence ?? TimeSpan.FromSeconds(5);
        if (fault == KitCardFault.Mute)
        {
            MuteNote = $" (vpcd: the card stays silent {quiet.TotalMilliseconds:0} ms, then answers 6F00, as a driver timeout)";
        }

        _card = new ScriptedVirtualCard(card, fault == KitCardFault.Mute, quiet);
        _slot = await VpcdCardSlot.InsertAsync(_card, _port).ConfigureAwait(false);
        if (fault == KitCardFault.RemovedDuringApdu)
        {
            var seen = 0;
            _slot.DropBeforeAnswer = _ => ++seen >= faultAtApdu;
        }
    }

    public async Task RemoveAsync()
    {
        _card?.Release();
        if (_slot is { } slot)
        {
            _slot = null;
            await slot.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RemoveAsync().ConfigureAwait(false);
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A <see cref="KitCard"/> on vpcd; a mute one holds its answer until it is taken away or its silence ends.</summary>
    private sealed class ScriptedVirtualCard(KitCard card, bool mute, TimeSpan silence) : IVirtualCard
    {
        private readonly ManualResetEventSlim _released = new();

        private long _firstApduAt;

        public ReadOnlyMemory<byte> Atr => card.Atr;

        public long? FirstApduAt => Interlocked.Read(ref _firstApduAt) is var t && t != 0 ? t : null;

        public void Release() => _released.Set();

        public void PowerOn() => card.PowerOn();

        public void PowerOff()
        {
        }

        public void Reset() => card.PowerOn();

        public byte[] Transmit(ReadOnlySpan<byte> apdu)
        {
            Interlocked.CompareExchange(ref _firstApduAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            if (mute)
            {
                // vpcd waits for the card's answer: a card that says nothing is a card whose answer never comes.
                _released.Wait(silence);
                return [0x6F, 0x00];
            }

            return card.Respond(apdu.ToArray());
        }
    }
}
