using Microsoft.Extensions.Logging;
using Middleware.Cards.Zdc;
using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Desfire;

/// <summary>
/// Reads the Izly ZDC of MIFARE DESFire EV1/EV2 cards on PC/SC readers (<c>cards.md</c> §3), with the host's SAM.
/// Watches every matching reader from <see cref="StartAsync"/> on and reports taps, failed reads and removals to the
/// host's <see cref="IReaderEventSink"/>; survives PC/SC service restarts.
/// </summary>
public sealed class DesfireReaderPlugin : IReaderPlugin
{
    /// <summary>The plugin id (its key in <c>plugins.json</c>).</summary>
    public const string PluginId = "reader.desfire";

    private static readonly IReadOnlyList<CardTechnology> Technologies = [CardTechnology.Desfire];
    private static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RemovalCheck = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _cardGate = new(1, 1);
    private readonly Lock _readersGate = new();
    private IReadOnlyList<ReaderDescriptor> _readers = [];
    private IPluginContext? _context;
    private ISmartCardSystem? _pcsc;
    private ISam? _sam;
    private IReaderEventSink? _sink;
    private ValidatedDesfireSettings? _settings;
    private CancellationTokenSource? _stop;
    private Task? _watch;

    /// <inheritdoc />
    public PluginMetadata Metadata { get; } = new(PluginId, "1.0.0", ContractInfo.Version, "MIFARE DESFire ZDC reader (PC/SC, SAM)");

    /// <inheritdoc />
    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _settings = context.GetSettings<DesfireSettings>().Validate();
        _pcsc = context.GetService<ISmartCardSystem>()
            ?? throw new InvalidOperationException("The host offers no PC/SC service (ISmartCardSystem): the DESFire reader cannot run.");
        _sam = context.GetService<ISam>();
        _sink = context.GetService<IReaderEventSink>();
        if (_sam is null)
        {
            context.Logger.LogWarning("No SAM in this host: DESFire cards will be refused with a SAM error");
        }

        _stop = CancellationTokenSource.CreateLinkedTokenSource(context.Stopping);
        var token = _stop.Token;
        _watch = Task.Run(() => WatchAsync(token), CancellationToken.None);
        context.Logger.LogInformation(
            "DESFire reader started: application {ApplicationId:X6}, file {FileNumber}, card key {ReadKeyNumber}, SAM key {SamKeyNumber}",
            _settings.ApplicationId,
            _settings.FileNumber,
            _settings.ReadKeyNumber,
            _settings.SamKeyNumber);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_watch is not null)
        {
            try
            {
                await _watch.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host gave up waiting: nothing more to release.
            }
        }

        _stop.Dispose();
        _stop = null;
        _watch = null;
        _sink = null;
        _sam = null;
        _pcsc = null;
        _context = null;
        lock (_readersGate)
        {
            _readers = [];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ReaderDescriptor> GetReaders()
    {
        lock (_readersGate)
        {
            return _readers;
        }
    }

    /// <inheritdoc />
    public async Task<CardIdentity> ReadCardAsync(string readerName, CancellationToken cancellationToken)
    {
        var pcsc = _pcsc ?? throw new InvalidOperationException("The DESFire reader is not started.");
        var settings = _settings!;
        try
        {
            // The usual case: the till asks right after a tap, the watcher already knows the card is there. Read at
            // once, without asking the PC/SC service for every reader's status first (two more round trips).
            if (settings.Accepts(readerName) && GetReaders().Any(r => r.Name == readerName && r.State == ReaderState.CardPresent))
            {
                return await ReadAsync(readerName, cancellationToken);
            }

            var statuses = await pcsc.GetStatusAsync(cancellationToken);
            while (true)
            {
                var status = statuses.FirstOrDefault(s => s.ReaderName == readerName);
                if (status is null || !settings.Accepts(readerName))
                {
                    throw new CardReadException(CardReadError.ReaderError, $"Unknown reader '{readerName}' for the DESFire reader.");
                }

                if (status.HasCard)
                {
                    return await ReadAsync(readerName, cancellationToken);
                }

                statuses = await pcsc.WaitForChangeAsync(statuses, settings.StatusWaitTimeout, cancellationToken);
            }
        }
        catch (SmartCardException ex)
        {
            throw Map(ex);
        }
    }

    private async Task WatchAsync(CancellationToken token)
    {
        var context = _context!;
        var logger = context.Logger;
        var settings = _settings!;
        IReadOnlyList<SmartCardReaderStatus> known = [];
        var serviceDown = false;
        while (!token.IsCancellationRequested)
        {
            IReadOnlyList<SmartCardReaderStatus> current;
            try
            {
                current = await _pcsc!.WaitForChangeAsync(known, settings.StatusWaitTimeout, token);
                if (serviceDown)
                {
                    logger.LogInformation("PC/SC service is back");
                    serviceDown = false;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                var lost = ex is SmartCardException { IsServiceLost: true };
                if (!serviceDown)
                {
                    if (lost)
                    {
                        logger.LogWarning("PC/SC service lost ({Error}); waiting for it", ((SmartCardException)ex).Error);
                    }
                    else
                    {
                        logger.LogError(ex, "Waiting for reader changes failed; retrying");
                    }

                    serviceDown = true;
                    MarkUnavailable(known);
                }

                known = [];
                if (!await DelayAsync(settings.ServiceRetryDelay, context.Time, token))
                {
                    break;
                }

                continue;
            }

            if (SameStatus(known, current))
            {
                // A timeout (or a spurious wake-up): pause briefly so a service that returns early cannot spin this loop.
                if (!await DelayAsync(IdlePause, context.Time, token))
                {
                    break;
                }

                continue;
            }

            try
            {
                await HandleChangesAsync(known, current, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Never let one reader's trouble stop the watch.
                logger.LogError(ex, "Handling reader changes failed");
            }

            known = current;
        }
    }

    private async Task HandleChangesAsync(IReadOnlyList<SmartCardReaderStatus> previous, IReadOnlyList<SmartCardReaderStatus> current, CancellationToken token)
    {
        var settings = _settings!;
        var time = _context!.Time;
        UpdateReaders(current);

        foreach (var gone in previous)
        {
            if (settings.Accepts(gone.ReaderName) && gone.HasCard && !current.Any(c => c.ReaderName == gone.ReaderName))
            {
                Emit(sink => sink.CardRemoved(new CardRemoved(gone.ReaderName, time.GetUtcNow())));
            }
        }

        foreach (var status in current)
        {
            if (!settings.Accepts(status.ReaderName))
            {
                continue;
            }

            var before = previous.FirstOrDefault(p => p.ReaderName == status.ReaderName);
            var hadCard = before?.HasCard ?? false;
            var swapped = hadCard && status.HasCard && before!.EventCount != status.EventCount;
            if ((hadCard && !status.HasCard) || swapped)
            {
                Emit(sink => sink.CardRemoved(new CardRemoved(status.ReaderName, time.GetUtcNow())));
            }

            if (status.HasCard && (!hadCard || swapped))
            {
                await ReadAndReportAsync(status.ReaderName, token);
            }
        }
    }

    private async Task ReadAndReportAsync(string readerName, CancellationToken token)
    {
        var logger = _context!.Logger;
        var time = _context.Time;
        try
        {
            var card = await ReadAsync(readerName, token);
            logger.LogInformation("DESFire card {IdSupport} read on {Reader} (SAM {SamId})", card.MaskedIdSupport, readerName, card.SamId);
            Emit(sink => sink.CardTapped(new CardTapped(card, time.GetUtcNow())));
        }
        catch (CardReadException ex)
        {
            logger.LogWarning("DESFire read failed on {Reader}: {Error} {Detail}", readerName, ex.Error, ex.Message);
            Emit(sink => sink.CardReadFailed(new CardReadFailed(readerName, ex.Error, ex.Message, time.GetUtcNow())));
        }
    }

    /// <summary>One whole read on <paramref name="readerName"/>, one card at a time, within the read timeout.
    /// Every failure comes out as <see cref="CardReadException"/>.</summary>
    private async Task<CardIdentity> ReadAsync(string readerName, CancellationToken cancellationToken)
    {
        var settings = _settings!;
        var sam = _sam ?? throw new CardReadException(CardReadError.SamError, "This host has no SAM: DESFire cards cannot be authenticated.");
        using var timeout = new CancellationTokenSource(settings.ReadTimeout, _context!.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        var entered = false;
        try
        {
            await _cardGate.WaitAsync(token);
            entered = true;
            await using var connection = await _pcsc!.ConnectAsync(readerName, SmartCardShareMode.Shared, token);
            var result = await new DesfireCardReader(connection, sam, settings).ReadAsync(token);
            var record = result.Record;
            return new CardIdentity(
                record.IdSupport,
                record.NumeroApplicatif,
                CardTechnology.Desfire,
                readerName,
                sam.SamId,
                Authenticated: true,
                IssuerCrous: record.IdCrous,
                CreationDate: record.CreationDate);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CardReadException(CardReadError.Timeout, $"The card did not complete the read within {settings.ReadTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception ex) when (ex is CardLinkException or SmartCardException { IsCardGone: false, IsServiceLost: false })
        {
            // A broken exchange often means the card left the field before the reader noticed: check before blaming the card.
            if (!cancellationToken.IsCancellationRequested && await CardLeftAsync(readerName, cancellationToken))
            {
                throw new CardReadException(CardReadError.CardRemoved, "The card left the reader during the read.", ex);
            }

            throw Map(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not CardReadException)
        {
            throw Map(ex);
        }
        finally
        {
            if (entered)
            {
                _cardGate.Release();
            }
        }
    }

    /// <summary>Whether the card on <paramref name="readerName"/> is gone, waiting up to <see cref="RemovalCheck"/> for the
    /// PC/SC service to notice (pcscd polls presence every 400 ms).</summary>
    private async Task<bool> CardLeftAsync(string readerName, CancellationToken cancellationToken)
    {
        try
        {
            var before = await _pcsc!.GetStatusAsync(cancellationToken);
            var card = before.FirstOrDefault(s => s.ReaderName == readerName);
            if (card is null || !card.HasCard)
            {
                return true;
            }

            var after = await _pcsc.WaitForChangeAsync(before, RemovalCheck, cancellationToken);
            var now = after.FirstOrDefault(s => s.ReaderName == readerName);
            return now is null || !now.HasCard || now.EventCount != card.EventCount;
        }
        catch (Exception ex) when (ex is SmartCardException or OperationCanceledException)
        {
            return false;
        }
    }

    private static CardReadException Map(Exception ex) => ex switch
    {
        CardReadException read => read,
        CardLinkException link => new CardReadException(CardReadError.CardError, link.Message, ex),
        SmartCardException { IsCardGone: true } => new CardReadException(CardReadError.CardRemoved, "The card left the reader during the read.", ex),
        SmartCardException { Error: SmartCardError.UnresponsiveCard } => new CardReadException(CardReadError.CardError, "The card does not answer (mute or badly placed).", ex),
        SmartCardException pcsc => new CardReadException(CardReadError.ReaderError, $"The reader failed: {pcsc.Error} (0x{pcsc.NativeCode:X8}).", ex),
        SamException { Error: SamError.AuthenticationFailed } => new CardReadException(CardReadError.AuthenticationFailed, "The card's authentication proof is wrong: wrong key or not a genuine card.", ex),
        SamException { Error: SamError.IntegrityError } sam => new CardReadException(CardReadError.CardError, $"The card's answer failed the integrity check: {sam.Message}", ex),
        SamException sam => new CardReadException(CardReadError.SamError, $"SAM error {sam.Error}: {sam.Message}", ex),
        ZdcFormatException zdc => new CardReadException(CardReadError.InvalidZdc, zdc.Message, ex),
        _ => new CardReadException(CardReadError.ReaderError, $"Unexpected failure: {ex.GetType().Name}: {ex.Message}", ex),
    };

    private void UpdateReaders(IReadOnlyList<SmartCardReaderStatus> current)
    {
        var settings = _settings!;
        var readers = current
            .Where(s => settings.Accepts(s.ReaderName))
            .Select(s => new ReaderDescriptor(s.ReaderName, PluginId, Technologies, s.State switch
            {
                SmartCardReaderState.Empty => ReaderState.Empty,
                SmartCardReaderState.Unavailable => ReaderState.Unavailable,
                _ => ReaderState.CardPresent,
            }))
            .ToArray();
        bool changed;
        lock (_readersGate)
        {
            changed = !readers.SequenceEqual(_readers, ReaderComparer.Instance);
            _readers = readers;
        }

        if (changed)
        {
            Emit(sink => sink.ReadersChanged(PluginId));
        }
    }

    private void MarkUnavailable(IReadOnlyList<SmartCardReaderStatus> known)
    {
        lock (_readersGate)
        {
            _readers = [.. _readers.Select(r => r with { State = ReaderState.Unavailable })];
        }

        var time = _context!.Time;
        foreach (var status in known)
        {
            if (status.HasCard && _settings!.Accepts(status.ReaderName))
            {
                Emit(sink => sink.CardRemoved(new CardRemoved(status.ReaderName, time.GetUtcNow())));
            }
        }

        Emit(sink => sink.ReadersChanged(PluginId));
    }

    private void Emit(Action<IReaderEventSink> send)
    {
        if (_sink is not { } sink)
        {
            return;
        }

        try
        {
            send(sink);
        }
        catch (Exception ex)
        {
            _context?.Logger.LogError(ex, "The host's reader event sink threw");
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

    private static async Task<bool> DelayAsync(TimeSpan delay, TimeProvider time, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, time, token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed class ReaderComparer : IEqualityComparer<ReaderDescriptor>
    {
        public static readonly ReaderComparer Instance = new();

        public bool Equals(ReaderDescriptor? x, ReaderDescriptor? y) => x?.Name == y?.Name && x?.State == y?.State;

        public int GetHashCode(ReaderDescriptor obj) => HashCode.Combine(obj.Name, obj.State);
    }
}
