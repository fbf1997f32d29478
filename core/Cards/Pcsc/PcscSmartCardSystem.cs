using Middleware.Cards.Pcsc.Native;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Middleware.Cards.Pcsc;

/// <summary>
/// The host's <see cref="ISmartCardSystem"/> over the platform's PC/SC library. Every wait and every connection
/// uses its own context from a small pool; when the daemon stops or restarts (<c>SCARD_E_NO_SERVICE</c>,
/// <c>SCARD_E_SERVICE_STOPPED</c>, <c>SCARD_E_INVALID_HANDLE</c>), the stale contexts are dropped and the call is
/// retried once on a fresh context, so a restarted daemon is picked up without recreating this object; when the
/// daemon is still down, the call throws a <see cref="SmartCardException"/> with
/// <see cref="SmartCardException.IsServiceLost"/> and the next call tries again.
/// </summary>
internal sealed class PcscSmartCardSystem : ISmartCardSystem, IDisposable
{
    private readonly IPcscApi _api;
    private readonly PcscOptions _options;
    private readonly ILogger _logger;
    private readonly PcscContextPool _pool;

    public PcscSmartCardSystem(IPcscApi api, PcscOptions options, ILogger<PcscSmartCardSystem>? logger = null)
    {
        _api = api;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _pool = new PcscContextPool(api, options, _logger);
    }

    public Task<IReadOnlyList<string>> ListReadersAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<string>>(WithContext(context => (ListOn(context, out var readers), readers), "SCardListReaders"));
    }

    public Task<IReadOnlyList<SmartCardReaderStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WithContext(context => StatusOn(context, out var status) is var rc ? (rc, status) : default, "SCardGetStatusChange"));
    }

    public Task<IReadOnlyList<SmartCardReaderStatus>> WaitForChangeAsync(
        IReadOnlyList<SmartCardReaderStatus> known,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        cancellationToken.ThrowIfCancellationRequested();

        // SCardGetStatusChange blocks its thread for the whole wait: keep it off the thread pool.
        return Task.Factory.StartNew(
            () => Wait(known, timeout, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);
    }

    public Task<ISmartCardConnection> ConnectAsync(string readerName, SmartCardShareMode shareMode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(readerName);
        cancellationToken.ThrowIfCancellationRequested();
        var share = shareMode == SmartCardShareMode.Exclusive ? PcscConst.ShareExclusive : PcscConst.ShareShared;

        for (var attempt = 0; ; attempt++)
        {
            var lease = _pool.Rent();
            var rc = _api.Connect(lease.Handle, readerName, share, PcscConst.ProtocolT0 | PcscConst.ProtocolT1, out var card, out var protocol);
            if (PcscErrors.IsContextLost(rc))
            {
                _pool.Discard(lease, rc);
                if (attempt == 0)
                {
                    continue;
                }
            }
            else if (rc != PcscCode.Success)
            {
                _pool.Return(lease);
            }

            if (rc != PcscCode.Success)
            {
                throw PcscErrors.For(rc, "SCardConnect", readerName);
            }

            _logger.LogDebug("Connected to the card on {Reader} (protocol T={Protocol})", readerName, protocol == PcscConst.ProtocolT1 ? 1 : 0);
            return Task.FromResult<ISmartCardConnection>(new PcscConnection(_api, _pool, lease, card, protocol, readerName, _options.ReceiveBufferSize, _options.RemovalCheckWindow));
        }
    }

    public void Dispose() => _pool.Dispose();

    private IReadOnlyList<SmartCardReaderStatus> Wait(IReadOnlyList<SmartCardReaderStatus> known, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? (DateTime?)null : DateTime.UtcNow + timeout;
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lease = _pool.Rent();
            uint rc;
            IReadOnlyList<SmartCardReaderStatus> result = [];
            try
            {
                rc = WaitOn(lease.Handle, known, RemainingMs(deadline), cancellationToken, out result);
            }
            catch
            {
                _pool.Return(lease);
                throw;
            }

            if (PcscErrors.IsContextLost(rc))
            {
                _pool.Discard(lease, rc);
                if (attempt == 0)
                {
                    continue;
                }

                throw PcscErrors.For(rc, "SCardGetStatusChange");
            }

            _pool.Return(lease);
            if (rc == PcscCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            if (rc != PcscCode.Success)
            {
                throw PcscErrors.Exception(rc, "SCardGetStatusChange");
            }

            return result;
        }
    }

    /// <summary>One wait on one context; returns the native code and, on success, the status after the change.</summary>
    private uint WaitOn(nint context, IReadOnlyList<SmartCardReaderStatus> known, uint timeoutMs, CancellationToken cancellationToken, out IReadOnlyList<SmartCardReaderStatus> result)
    {
        result = [];
        var rc = ListOn(context, out var readers);
        if (rc != PcscCode.Success)
        {
            return rc;
        }

        var knownByName = known.ToDictionary(status => status.ReaderName, StringComparer.Ordinal);
        var sameReaders = readers.Count == knownByName.Count && readers.All(knownByName.ContainsKey);
        if (sameReaders)
        {
            var states = new ReaderStateEntry[readers.Count + 1];
            for (var i = 0; i < readers.Count; i++)
            {
                var previous = knownByName[readers[i]];
                states[i] = new ReaderStateEntry(readers[i], ToNativeState(previous));
            }

            // The PnP pseudo reader fires when the reader count differs from the one in the upper 16 bits.
            states[^1] = new ReaderStateEntry(PcscConst.PnpNotification, (uint)readers.Count << 16);
            var canceller = new WaitCanceller(_api, context);
            using (cancellationToken.UnsafeRegister(static state => ((WaitCanceller)state!).Start(), canceller))
            {
                try
                {
                    rc = _api.GetStatusChange(context, timeoutMs, states);
                }
                finally
                {
                    canceller.Finish();
                }
            }

            if (rc == PcscCode.Cancelled || PcscErrors.IsContextLost(rc))
            {
                return rc;
            }

            // Timeout, a change, or a reader gone between the list and the wait: report what is there now.
            if (rc is not (PcscCode.Success or PcscCode.Timeout or PcscCode.UnknownReader or PcscCode.ReaderUnavailable))
            {
                return rc;
            }
        }

        return StatusOn(context, out result);
    }

    private uint ListOn(nint context, out IReadOnlyList<string> readers)
    {
        var rc = _api.ListReaders(context, out var names);
        readers = names;
        // "No readers" is a normal answer, not an error (the contract returns an empty list).
        return rc == PcscCode.NoReadersAvailable ? PcscCode.Success : rc;
    }

    private uint StatusOn(nint context, out IReadOnlyList<SmartCardReaderStatus> status)
    {
        status = [];
        var rc = ListOn(context, out var readers);
        if (rc != PcscCode.Success || readers.Count == 0)
        {
            return rc;
        }

        var states = readers.Select(name => new ReaderStateEntry(name, (uint)PcscState.Unaware)).ToArray();
        rc = _api.GetStatusChange(context, 0, states);
        if (rc is PcscCode.Timeout or PcscCode.UnknownReader)
        {
            rc = PcscCode.Success;
        }

        if (rc != PcscCode.Success)
        {
            return rc;
        }

        var list = new List<SmartCardReaderStatus>(states.Length);
        foreach (var state in states)
        {
            var flags = (PcscState)(state.EventState & 0xFFFF);
            if ((flags & (PcscState.Unknown | PcscState.Ignore)) != 0)
            {
                continue; // unplugged between the list and the query
            }

            list.Add(new SmartCardReaderStatus(state.Name, ToState(flags), state.Atr, (int)(state.EventState >> 16)));
        }

        status = list;
        return PcscCode.Success;
    }

    private T WithContext<T>(Func<nint, (uint Code, T Value)> operation, string name)
    {
        for (var attempt = 0; ; attempt++)
        {
            var lease = _pool.Rent();
            var (rc, value) = operation(lease.Handle);
            if (PcscErrors.IsContextLost(rc))
            {
                _pool.Discard(lease, rc);
                if (attempt == 0)
                {
                    continue;
                }
            }
            else
            {
                _pool.Return(lease);
            }

            if (rc != PcscCode.Success)
            {
                throw PcscErrors.For(rc, name);
            }

            return value;
        }
    }

    internal static SmartCardReaderState ToState(PcscState flags)
    {
        if ((flags & PcscState.Present) != 0)
        {
            return (flags & PcscState.Mute) != 0 ? SmartCardReaderState.CardMute : SmartCardReaderState.CardPresent;
        }

        if ((flags & PcscState.Empty) != 0)
        {
            return SmartCardReaderState.Empty;
        }

        return SmartCardReaderState.Unavailable;
    }

    internal static uint ToNativeState(SmartCardReaderStatus status)
    {
        var flags = status.State switch
        {
            SmartCardReaderState.Empty => PcscState.Empty,
            SmartCardReaderState.CardPresent => PcscState.Present,
            SmartCardReaderState.CardMute => PcscState.Present | PcscState.Mute,
            _ => PcscState.Unavailable,
        };
        return (uint)flags | ((uint)(status.EventCount & 0xFFFF) << 16);
    }

    private static uint RemainingMs(DateTime? deadline)
    {
        if (deadline is null)
        {
            return PcscConst.Infinite;
        }

        var remaining = deadline.Value - DateTime.UtcNow;
        return remaining <= TimeSpan.Zero ? 0 : (uint)Math.Min(remaining.TotalMilliseconds, PcscConst.Infinite - 1);
    }

    /// <summary>
    /// Cancels one wait with <c>SCardCancel</c>. A cancel that lands before the wait has entered pcscd is lost, so it
    /// is repeated until the wait returns; the context is never cancelled once the wait is over (it goes back to the pool).
    /// </summary>
    private sealed class WaitCanceller(IPcscApi api, nint context)
    {
        private readonly Lock _gate = new();
        private bool _finished;

        public void Start() => _ = Task.Run(async () =>
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_finished)
                    {
                        return;
                    }

                    api.Cancel(context);
                }

                await Task.Delay(50).ConfigureAwait(false);
            }
        });

        public void Finish()
        {
            lock (_gate)
            {
                _finished = true;
            }
        }
    }
}
