using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.PluginHost.Pcsc;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.PluginHost.Readers;

/// <summary>
/// The host's watch of its PC/SC readers: presence and removal, the PC/SC service going and coming back, debounce.
/// Each card presented is connected once and handed to the card plugin whose claim wins, so two plugins never talk
/// to one card; the tap, the failure or the removal goes to the host's card events.
/// </summary>
internal sealed partial class PcscCardWatcher(
    ISmartCardSystem pcsc,
    IPluginCatalog plugins,
    IReaderEventSink events,
    CardReaderOptions options,
    TimeProvider time,
    ILogger<PcscCardWatcher> logger)
{
    /// <summary>The id the PC/SC readers are listed under (the readers are the host's, not one plugin's).</summary>
    public const string ReadersOwner = "pcsc";

    private static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReadSlot> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<TaskCompletionSource<CardIdentity>>> _waiters = new(StringComparer.Ordinal);
    private readonly Lock _statusGate = new();
    private IReadOnlyList<SmartCardReaderStatus> _status = [];
    private bool _serviceUp;

    /// <summary>The readers as last seen, and whether the PC/SC service answers.</summary>
    public (IReadOnlyList<SmartCardReaderStatus> Readers, bool ServiceUp) Snapshot()
    {
        lock (_statusGate)
        {
            return (_status, _serviceUp);
        }
    }

    /// <summary>Watches until <paramref name="stopping"/>; never throws but for its cancellation.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        IReadOnlyList<SmartCardReaderStatus> known = [];
        var serviceDown = false;
        while (!stopping.IsCancellationRequested)
        {
            IReadOnlyList<SmartCardReaderStatus> current;
            try
            {
                current = await pcsc.WaitForChangeAsync(known, options.StatusWaitTimeout, stopping).ConfigureAwait(false);
                current = await SettleAsync(current, stopping).ConfigureAwait(false);
                if (serviceDown)
                {
                    LogServiceBack(logger);
                    serviceDown = false;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (!serviceDown)
                {
                    if (ex is SmartCardException { IsServiceLost: true } lost)
                    {
                        LogServiceLost(logger, lost.Error);
                    }
                    else
                    {
                        LogWaitFailed(logger, ex);
                    }

                    serviceDown = true;
                    ServiceLost(known);
                }

                known = [];
                if (!await DelayAsync(options.ServiceRetryDelay, stopping).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (SameStatus(known, current))
            {
                // A timeout or a spurious wake-up: pause so a service that returns early cannot spin this loop.
                if (!await DelayAsync(IdlePause, stopping).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            try
            {
                HandleChanges(known, current, stopping);
            }
            catch (Exception ex)
            {
                // One reader's trouble never stops the watch.
                LogHandlingFailed(logger, ex);
            }

            known = current;
        }

        foreach (var read in _reads.Values)
        {
            read.Cancel();
        }
    }

    /// <summary>
    /// Reads the card on <paramref name="readerName"/> now, or the next one presented within <paramref name="timeout"/>.
    /// Null when the reader is not a PC/SC reader of this host.
    /// </summary>
    public async Task<CardIdentity?> ReadNowAsync(string readerName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The service's own answer, not the watch's last view: a read asked right after start or a plug comes first.
        IReadOnlyList<SmartCardReaderStatus> statuses;
        try
        {
            statuses = await pcsc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SmartCardException ex)
        {
            return Snapshot().Readers.Any(r => r.ReaderName == readerName)
                ? throw new CardReadException(CardReadError.ReaderError, $"The PC/SC service cannot be asked: {ex.Error}.")
                : null;
        }

        var status = statuses.FirstOrDefault(r => r.ReaderName == readerName);
        if (status is null)
        {
            return null;
        }

        if (status.HasCard)
        {
            var card = await DispatchAsync(readerName, status.Atr, cancellationToken).ConfigureAwait(false);
            Emit(sink => sink.CardTapped(new CardTapped(card, time.GetUtcNow())));
            return card;
        }

        var waiter = new TaskCompletionSource<CardIdentity>(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = _waiters.GetOrAdd(readerName, _ => []);
        lock (list)
        {
            list.Add(waiter);
        }

        try
        {
            return await waiter.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new CardReadException(CardReadError.Timeout, $"No card was presented on {readerName} within {timeout.TotalSeconds:0.#} s.");
        }
        finally
        {
            lock (list)
            {
                list.Remove(waiter);
            }
        }
    }

    /// <summary>Claims, connects and reads one card; every failure comes out as <see cref="CardReadException"/>
    /// built by the host (a plugin's exception is never kept: it would keep the plugin loaded).</summary>
    public async Task<CardIdentity> DispatchAsync(string readerName, ReadOnlyMemory<byte> atr, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(readerName, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var budget = new CancellationTokenSource(options.ReadBudget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            var owner = await ChooseAsync(new PresentedCard(readerName, atr.ToArray()), linked.Token).ConfigureAwait(false)
                ?? throw new CardReadException(CardReadError.NotAnIzlyCard, $"No card plugin reads this card (ATR {Convert.ToHexString(atr.Span)}).");
            await using var connection = await pcsc.ConnectAsync(readerName, SmartCardShareMode.Shared, linked.Token).ConfigureAwait(false);
            var card = new HostPcscCard(connection, atr);
            try
            {
                // The caller's token goes to the plugin, not to the wait: a caller that leaves (the card left, the host
                // stops) must not disconnect while the plugin still talks to the card, or its late APDUs would land in
                // the next read's exchange. The wait ends when the plugin returns (bounded by the budget and its grace).
                var readToken = linked.Token;
                var read = await plugins.InvokeAsync<IPcscCardPlugin, CardIdentity>(
                        owner,
                        async (plugin, ct) =>
                        {
                            using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, readToken);
                            try
                            {
                                return await plugin.ReadAsync(card, both.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (readToken.IsCancellationRequested && !ct.IsCancellationRequested)
                            {
                                // Stopped by the host, not a fault of the plugin: an answer of the contract's, not a malfunction.
                                throw budget.IsCancellationRequested
                                    ? new CardReadException(CardReadError.Timeout, $"The read did not finish within the host's {options.ReadBudget.TotalSeconds:0.#} s budget.")
                                    : new CardReadException(CardReadError.CardRemoved, "The read was stopped: the card left, or the host is stopping.");
                            }
                        },
                        options.ReadBudget,
                        CancellationToken.None)
                    .ConfigureAwait(false);
                return read with { ReaderName = readerName };
            }
            finally
            {
                card.Close();
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CardReadException(CardReadError.Timeout, $"The read did not finish within the host's {options.ReadBudget.TotalSeconds:0.#} s budget.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = ex switch
            {
                CardReadException read => new CardReadException(read.Error, read.Message),
                MiddlewareException { Code: ErrorCode.PluginTimeout } plugin => new CardReadException(CardReadError.Timeout, plugin.Message),
                MiddlewareException plugin => new CardReadException(CardReadError.ReaderError, plugin.Message),
                _ => CardErrors.Map(ex),
            };
            if (failure.Error is CardReadError.CardError or CardReadError.ReaderError && !cancellationToken.IsCancellationRequested
                && await CardLeftAsync(readerName, cancellationToken).ConfigureAwait(false))
            {
                // A broken exchange often means the card left the field before the reader noticed.
                throw new CardReadException(CardReadError.CardRemoved, "The card left the reader during the read.");
            }

            throw failure is { InnerException: null } ? failure : new CardReadException(failure.Error, failure.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    // The claim of highest priority; ties go to the plugin id first in ordinal order.
    private async Task<string?> ChooseAsync(PresentedCard card, CancellationToken cancellationToken)
    {
        (string Id, int Priority)? best = null;
        foreach (var id in plugins.ActivePlugins<IPcscCardPlugin>().Order(StringComparer.Ordinal))
        {
            CardClaim? claim;
            try
            {
                claim = await plugins.InvokeAsync<IPcscCardPlugin, CardClaim?>(id, (plugin, _) => Task.FromResult(plugin.Claim(card)), options.ClaimTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A plugin that cannot answer a claim in time (or throws) is left out for this card, not the card.
                LogClaimFailed(logger, id, ex.GetType().Name);
                continue;
            }

            if (claim is { } c && (best is null || c.Priority > best.Value.Priority))
            {
                best = (id, c.Priority);
            }
        }

        return best?.Id;
    }

    private void HandleChanges(IReadOnlyList<SmartCardReaderStatus> previous, IReadOnlyList<SmartCardReaderStatus> current, CancellationToken stopping)
    {
        var readersChanged = previous.Count != current.Count
            || previous.Zip(current).Any(p => p.First.ReaderName != p.Second.ReaderName || p.First.State != p.Second.State);
        lock (_statusGate)
        {
            _status = current;
            _serviceUp = true;
        }

        foreach (var gone in previous)
        {
            if (gone.HasCard && !current.Any(c => c.ReaderName == gone.ReaderName))
            {
                Removed(gone.ReaderName);
            }
        }

        foreach (var status in current)
        {
            var before = previous.FirstOrDefault(p => p.ReaderName == status.ReaderName);
            var hadCard = before?.HasCard ?? false;
            var swapped = hadCard && status.HasCard && before!.EventCount != status.EventCount;
            if ((hadCard && !status.HasCard) || swapped)
            {
                Removed(status.ReaderName);
            }

            if (status.HasCard && (!hadCard || swapped))
            {
                StartRead(status.ReaderName, status.Atr, stopping);
            }
        }

        if (readersChanged)
        {
            Emit(sink => sink.ReadersChanged(ReadersOwner));
        }
    }

    private void StartRead(string readerName, ReadOnlyMemory<byte> atr, CancellationToken stopping)
    {
        var slot = new ReadSlot(stopping);
        if (_reads.TryGetValue(readerName, out var previous))
        {
            previous.Cancel();
        }

        _reads[readerName] = slot;
        _ = Task.Run(() => ReadAndReportAsync(readerName, atr, slot), CancellationToken.None);
    }

    private async Task ReadAndReportAsync(string readerName, ReadOnlyMemory<byte> atr, ReadSlot slot)
    {
        try
        {
            var card = await DispatchAsync(readerName, atr, slot.Token).ConfigureAwait(false);
            if (slot.TryReport())
            {
                LogTapped(logger, card.Technology, card.MaskedIdSupport, readerName);
                Emit(sink => sink.CardTapped(new CardTapped(card, time.GetUtcNow())));
                Complete(readerName, w => w.TrySetResult(card));
            }
        }
        catch (CardReadException ex)
        {
            if (slot.TryReport())
            {
                ReportFailure(readerName, ex.Error, ex.Message);
            }
        }
        catch (OperationCanceledException)
        {
            // The card left (its removal reported the failed read) or the host is stopping.
        }
        catch (Exception ex)
        {
            LogHandlingFailed(logger, ex);
        }
        finally
        {
            _reads.TryRemove(new KeyValuePair<string, ReadSlot>(readerName, slot));
            slot.Dispose();
        }
    }

    private void Removed(string readerName)
    {
        // A read still running lost its card: say so before the removal, once (the read itself reports nothing more).
        if (_reads.TryRemove(readerName, out var read))
        {
            read.Cancel();
            if (read.TryReport())
            {
                ReportFailure(readerName, CardReadError.CardRemoved, "The card left the reader during the read.");
            }
        }

        Emit(sink => sink.CardRemoved(new CardRemoved(readerName, time.GetUtcNow())));
    }

    private void ReportFailure(string readerName, CardReadError error, string detail)
    {
        LogReadFailed(logger, readerName, error, detail);
        Emit(sink => sink.CardReadFailed(new CardReadFailed(readerName, error, detail, time.GetUtcNow())));
        Complete(readerName, w => w.TrySetException(new CardReadException(error, detail)));
    }

    private void ServiceLost(IReadOnlyList<SmartCardReaderStatus> known)
    {
        lock (_statusGate)
        {
            _status = [.. _status.Select(s => s with { State = SmartCardReaderState.Unavailable, Atr = ReadOnlyMemory<byte>.Empty })];
            _serviceUp = false;
        }

        foreach (var status in known.Where(s => s.HasCard))
        {
            Removed(status.ReaderName);
        }

        Emit(sink => sink.ReadersChanged(ReadersOwner));
    }

    private void Complete(string readerName, Action<TaskCompletionSource<CardIdentity>> complete)
    {
        if (_waiters.TryGetValue(readerName, out var list))
        {
            TaskCompletionSource<CardIdentity>[] waiting;
            lock (list)
            {
                waiting = [.. list];
            }

            foreach (var waiter in waiting)
            {
                complete(waiter);
            }
        }
    }

    // Waits for the status to hold still for the debounce time (bounded: a reader that never settles is taken as is).
    private async Task<IReadOnlyList<SmartCardReaderStatus>> SettleAsync(IReadOnlyList<SmartCardReaderStatus> current, CancellationToken stopping)
    {
        for (var i = 0; i < 5 && options.Debounce > TimeSpan.Zero; i++)
        {
            var next = await pcsc.WaitForChangeAsync(current, options.Debounce, stopping).ConfigureAwait(false);
            if (SameStatus(current, next))
            {
                break;
            }

            current = next;
        }

        return current;
    }

    private async Task<bool> CardLeftAsync(string readerName, CancellationToken cancellationToken)
    {
        try
        {
            var before = await pcsc.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            var card = before.FirstOrDefault(s => s.ReaderName == readerName);
            if (card is null || !card.HasCard)
            {
                return true;
            }

            var after = await pcsc.WaitForChangeAsync(before, options.RemovalCheck, cancellationToken).ConfigureAwait(false);
            var now = after.FirstOrDefault(s => s.ReaderName == readerName);
            return now is null || !now.HasCard || now.EventCount != card.EventCount;
        }
        catch (Exception ex) when (ex is SmartCardException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Emit(Action<IReaderEventSink> send)
    {
        try
        {
            send(events);
        }
        catch (Exception ex)
        {
            LogHandlingFailed(logger, ex);
        }
    }

    private static bool SameStatus(IReadOnlyList<SmartCardReaderStatus> a, IReadOnlyList<SmartCardReaderStatus> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].ReaderName != b[i].ReaderName || a[i].State != b[i].State || a[i].EventCount != b[i].EventCount)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, time, token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "PC/SC service is back")]
    private static partial void LogServiceBack(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "PC/SC service lost ({Error}); waiting for it")]
    private static partial void LogServiceLost(ILogger logger, SmartCardError error);

    [LoggerMessage(LogLevel.Error, "Waiting for reader changes failed; retrying")]
    private static partial void LogWaitFailed(ILogger logger, Exception ex);

    [LoggerMessage(LogLevel.Error, "Handling a reader change failed")]
    private static partial void LogHandlingFailed(ILogger logger, Exception ex);

    [LoggerMessage(LogLevel.Warning, "Card plugin {PluginId} could not answer a claim ({Failure}); left out for this card")]
    private static partial void LogClaimFailed(ILogger logger, string pluginId, string failure);

    [LoggerMessage(LogLevel.Information, "{Technology} card {IdSupport} read on {Reader}")]
    private static partial void LogTapped(ILogger logger, CardTechnology technology, string idSupport, string reader);

    [LoggerMessage(LogLevel.Warning, "Card read failed on {Reader}: {Error} {Detail}")]
    private static partial void LogReadFailed(ILogger logger, string reader, CardReadError error, string detail);

    /// <summary>One read of one card: its cancellation, and its outcome reported once (by the read or by the removal).</summary>
    private sealed class ReadSlot(CancellationToken stopping) : IDisposable
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        private readonly Lock _gate = new();
        private bool _disposed;
        private int _reported;

        public CancellationToken Token => _cts.Token;

        public bool TryReport() => Interlocked.Exchange(ref _reported, 1) == 0;

        public void Cancel()
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    _cts.Cancel();
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _cts.Dispose();
            }
        }
    }
}
