using Middleware.Cards.Pcsc.Native;
using Microsoft.Extensions.Logging;

namespace Middleware.Cards.Pcsc;

/// <summary>A PC/SC context lent to one operation (a wait, a query, a connection).</summary>
internal sealed class PcscContextLease(nint handle, long generation)
{
    public nint Handle { get; } = handle;

    public long Generation { get; } = generation;
}

/// <summary>
/// Keeps a few established PC/SC contexts for reuse. pcsc-lite serialises calls on one context, so every
/// concurrent operation gets its own. When any operation sees the service gone, the pool's generation moves on:
/// every context of older generations is released instead of reused, so the next call talks to the new daemon.
/// </summary>
internal sealed class PcscContextPool(IPcscApi api, PcscOptions options, ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Stack<PcscContextLease> _idle = new();
    private long _generation;
    private bool _lost;
    private bool _disposed;

    public PcscContextLease Rent()
    {
        long generation;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }

            generation = _generation;
        }

        var scope = options.Scope == PcscScope.User ? PcscConst.ScopeUser : PcscConst.ScopeSystem;
        var rc = api.EstablishContext(scope, out var handle);
        if (rc != PcscCode.Success)
        {
            MarkLost(rc);
            throw PcscErrors.For(rc, "SCardEstablishContext");
        }

        lock (_gate)
        {
            if (_lost)
            {
                _lost = false;
                logger.LogInformation("PC/SC service is back: context re-established");
            }
        }

        return new PcscContextLease(handle, generation);
    }

    /// <summary>Gives a context back; a context of an older generation (or of a disposed pool) is released.</summary>
    public void Return(PcscContextLease lease)
    {
        lock (_gate)
        {
            if (!_disposed && lease.Generation == _generation && _idle.Count < Math.Max(0, options.MaxIdleContexts))
            {
                _idle.Push(lease);
                return;
            }
        }

        api.ReleaseContext(lease.Handle);
    }

    /// <summary>Releases a context known to be dead and drops every idle context (they point to the same daemon).</summary>
    public void Discard(PcscContextLease lease, uint code)
    {
        api.ReleaseContext(lease.Handle);
        MarkLost(code);
    }

    private void MarkLost(uint code)
    {
        if (!PcscErrors.IsContextLost(code))
        {
            return;
        }

        PcscContextLease[] stale;
        lock (_gate)
        {
            _generation++;
            stale = [.. _idle];
            _idle.Clear();
            if (!_lost)
            {
                _lost = true;
                logger.LogWarning("PC/SC service lost ({Code}); contexts will be re-established", PcscCode.Name(code));
            }
        }

        foreach (var lease in stale)
        {
            api.ReleaseContext(lease.Handle);
        }
    }

    public void Dispose()
    {
        PcscContextLease[] idle;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var lease in idle)
        {
            api.ReleaseContext(lease.Handle);
        }
    }
}
