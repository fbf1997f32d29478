using Middleware.Cards.Pcsc.Native;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Cards.Pcsc;

/// <summary>A connection to one card, holding its own PC/SC context until disposed.</summary>
internal sealed class PcscConnection(
    IPcscApi api,
    PcscContextPool pool,
    PcscContextLease lease,
    nint card,
    uint protocol,
    string readerName,
    int receiveBufferSize,
    TimeSpan removalCheckWindow) : ISmartCardConnection
{
    private readonly Lock _gate = new();
    private readonly byte[] _receive = new byte[Math.Max(258, receiveBufferSize)];
    private bool _closed;
    private bool _contextLost;

    public string ReaderName => readerName;

    // Asked of the service on first use only: a read that never looks at the ATR saves a round trip to pcscd.
    private byte[]? _atr;

    public ReadOnlyMemory<byte> Atr
    {
        get
        {
            lock (_gate)
            {
                if (_atr is null && !_closed && api.GetAtr(card, out var atr) == PcscCode.Success)
                {
                    _atr = atr;
                }

                return _atr ?? [];
            }
        }
    }

    public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (apdu.Length < 4)
        {
            throw new ArgumentException("A command APDU has at least 4 bytes (CLA INS P1 P2).", nameof(apdu));
        }

        uint rc;

        // Short exchanges: the call returns within the card's answer time, so it runs on the caller's thread.
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            rc = api.Transmit(card, protocol, apdu.Span, _receive, out var length);
            if (rc == PcscCode.Success)
            {
                return Task.FromResult(_receive.AsSpan(0, length).ToArray());
            }

            if (PcscErrors.IsContextLost(rc))
            {
                _contextLost = true;
                throw PcscErrors.ServiceLost(rc, "SCardTransmit", readerName);
            }
        }

        return FailAsync(rc, cancellationToken);
    }

    /// <summary>
    /// A card taken away mid-exchange first shows as a transmission error (<c>SCARD_E_NOT_TRANSACTED</c>, an
    /// unresponsive card); the daemon sees the removal at its next presence poll (pcsc-lite: every 400 ms). Ask
    /// the reader for a short while, so the caller gets <see cref="SmartCardError.RemovedCard"/> rather than a
    /// communication error when the card is in fact gone.
    /// </summary>
    private async Task<byte[]> FailAsync(uint rc, CancellationToken cancellationToken)
    {
        if (PcscErrors.Classify(rc) is SmartCardError.CommunicationError or SmartCardError.UnresponsiveCard or SmartCardError.Other)
        {
            var deadline = DateTime.UtcNow + removalCheckWindow;
            while (true)
            {
                uint status;
                lock (_gate)
                {
                    status = _closed ? PcscCode.Success : api.GetAtr(card, out _);
                }

                if (status is PcscCode.RemovedCard or PcscCode.NoSmartcard)
                {
                    throw new SmartCardException(
                        SmartCardError.RemovedCard,
                        status,
                        $"PC/SC SCardTransmit on reader '{readerName}' failed: {PcscCode.Name(rc)}; the card was removed ({PcscCode.Name(status)}).");
                }

                if (status != PcscCode.Success || DateTime.UtcNow >= deadline)
                {
                    break;
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        throw PcscErrors.Exception(rc, "SCardTransmit", readerName);
    }

    public Task DisconnectAsync(SmartCardDisposition disposition, CancellationToken cancellationToken)
    {
        Close(disposition switch
        {
            SmartCardDisposition.Reset => PcscConst.ResetCard,
            SmartCardDisposition.Unpower => PcscConst.UnpowerCard,
            _ => PcscConst.LeaveCard,
        });
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Close(PcscConst.LeaveCard);
        return ValueTask.CompletedTask;
    }

    private void Close(uint disposition)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        // A removed card still needs SCardDisconnect to free the handle; its result does not matter then.
        var rc = _contextLost ? PcscCode.InvalidHandle : api.Disconnect(card, disposition);
        if (_contextLost || PcscErrors.IsContextLost(rc))
        {
            pool.Discard(lease, rc);
        }
        else
        {
            pool.Return(lease);
        }
    }
}
