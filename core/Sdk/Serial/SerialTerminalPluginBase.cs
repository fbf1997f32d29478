using Microsoft.Extensions.Logging;
using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Sdk.Serial;

/// <summary>
/// The starting point of a terminal plugin on a serial link (the Ingenico Tetra): the base owns the link, the plugin
/// writes its message codec (<see cref="ReadCardOnLinkAsync"/>, <see cref="TakePaymentOnLinkAsync"/>, and
/// <see cref="RefundOnLinkAsync"/> when the terminal refunds).
/// </summary>
/// <remarks>
/// <para>The link comes from the host's <see cref="ISerialLinkProvider"/> (native handles stay in the host and survive a
/// reload of the plugin). The base opens it at start, or at the next exchange when the device is missing then, runs
/// one exchange at a time on it, and reports the terminal Unavailable while it has no
/// link (<see cref="IReaderEventSink.ReadersChanged"/>). An <see cref="IOException"/> during an exchange drops the
/// link: the exchange fails with <see cref="TerminalException"/> and the next one opens the link again. A failure before
/// anything was sent (no such terminal, the link cannot open) carries <see cref="TerminalException.RequestNotSent"/>;
/// a codec sets it likewise when its protocol proves the request never went out.</para>
/// </remarks>
public abstract class SerialTerminalPluginBase : ITerminalPlugin
{
    private readonly SemaphoreSlim _exchange = new(1, 1);
    private readonly IReadOnlyList<CardTechnology> _technologies;
    private IPluginContext? _context;
    private ValidatedSerialTerminalSettings? _settings;
    private ISerialLinkProvider? _links;
    private Stream? _link;
    private volatile bool _linkUp;

    /// <summary>Creates the plugin.</summary>
    /// <param name="id">The plugin id, e.g. <c>terminal.tetra</c>.</param>
    /// <param name="version">The plugin's own version.</param>
    /// <param name="displayName">A name for operators.</param>
    /// <param name="technologies">What the terminal reads (e.g. <see cref="CardTechnology.Tetra"/>).</param>
    protected SerialTerminalPluginBase(string id, string version, string displayName, params CardTechnology[] technologies)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(technologies);
        Metadata = new PluginMetadata(id, version, ContractInfo.Version, displayName);
        _technologies = [.. technologies];
    }

    /// <inheritdoc />
    public PluginMetadata Metadata { get; }

    /// <summary>The host's services for this instance; valid between start and stop.</summary>
    protected IPluginContext Context => _context ?? throw new InvalidOperationException($"{Metadata.Id} is not started.");

    /// <summary>The link settings, checked.</summary>
    protected ValidatedSerialTerminalSettings LinkSettings => _settings ?? throw new InvalidOperationException($"{Metadata.Id} is not started.");

    /// <inheritdoc />
    public async Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _settings = context.GetSettings<SerialTerminalSettings>().Validate();
        _links = context.GetService<ISerialLinkProvider>()
            ?? throw new InvalidOperationException("The host offers no serial link service (ISerialLinkProvider): a terminal plugin cannot run.");
        _context = context;
        await OnStartAsync(context, cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLinkAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TerminalException ex)
        {
            // A terminal unplugged at start is not a broken plugin: it is Unavailable until it comes.
            context.Logger.LogWarning("Terminal {Terminal} not reachable at start: {Reason}", _settings.TerminalName, ex.Message);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await OnStopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DropLinkAsync().ConfigureAwait(false);
            _links = null;
            _context = null;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ReaderDescriptor> GetTerminals() => _settings is { } s
        ? [new ReaderDescriptor(s.TerminalName, Metadata.Id, _technologies, _linkUp ? ReaderState.Empty : ReaderState.Unavailable)]
        : [];

    /// <inheritdoc />
    public Task<CardIdentity> ReadCardAsync(string terminalName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        CheckName(terminalName);
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(5))
        {
            // The contract's failure, not an argument exception: the host counts those against the plugin.
            throw new TerminalException("A read waits 1 ms to 5 min.");
        }

        return ExchangeAsync((link, ct) => ReadCardOnLinkAsync(link, timeout, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckName(request.TerminalName);
        if (request.Amount <= 0 || decimal.Round(request.Amount, 2) != request.Amount)
        {
            throw new TerminalException("A payment is a positive amount in euros with two decimals at most.") { RequestNotSent = true };
        }

        return ExchangeAsync((link, ct) => TakePaymentOnLinkAsync(link, request, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<TerminalPaymentResult> RefundAsync(TerminalPaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckName(request.TerminalName);
        if (request.Amount <= 0 || decimal.Round(request.Amount, 2) != request.Amount)
        {
            throw new TerminalException("A refund is a positive amount in euros with two decimals at most.") { RequestNotSent = true };
        }

        return ExchangeAsync((link, ct) => RefundOnLinkAsync(link, request, ct), cancellationToken);
    }

    /// <summary>The card read on the link: send the request, wait up to <paramref name="timeout"/> for the answer.</summary>
    /// <param name="link">The open link (exclusive for this exchange).</param>
    /// <param name="timeout">How long the customer has.</param>
    /// <param name="cancellationToken">Honour it.</param>
    protected abstract Task<CardIdentity> ReadCardOnLinkAsync(Stream link, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The card payment on the link.</summary>
    /// <param name="link">The open link (exclusive for this exchange).</param>
    /// <param name="request">The payment.</param>
    /// <param name="cancellationToken">Honour it.</param>
    protected abstract Task<TerminalPaymentResult> TakePaymentOnLinkAsync(Stream link, TerminalPaymentRequest request, CancellationToken cancellationToken);

    /// <summary>The refund (credit) on the link. The default refuses before sending anything: override it when the
    /// terminal takes refunds.</summary>
    /// <param name="link">The open link (exclusive for this exchange).</param>
    /// <param name="request">The refund.</param>
    /// <param name="cancellationToken">Honour it.</param>
    protected virtual Task<TerminalPaymentResult> RefundOnLinkAsync(Stream link, TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        Task.FromException<TerminalPaymentResult>(new TerminalException($"{Metadata.Id} does not take refunds.") { RequestNotSent = true });

    /// <summary>Called at the end of start, before the link opens: read your own settings here.</summary>
    /// <param name="context">The context.</param>
    /// <param name="cancellationToken">Cancelled when the host gives up waiting.</param>
    protected virtual Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called first in stop.</summary>
    /// <param name="cancellationToken">Cancelled when the host gives up waiting.</param>
    protected virtual Task OnStopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void CheckName(string terminalName)
    {
        if (_settings is not { } s || !string.Equals(terminalName, s.TerminalName, StringComparison.Ordinal))
        {
            throw new TerminalException($"No terminal '{terminalName}' in {Metadata.Id}.") { RequestNotSent = true };
        }
    }

    private async Task<T> ExchangeAsync<T>(Func<Stream, CancellationToken, Task<T>> exchange, CancellationToken cancellationToken)
    {
        await _exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var link = await EnsureLinkAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await exchange(link, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await DropLinkAsync().ConfigureAwait(false);
                throw new TerminalException($"The link to {LinkSettings.TerminalName} broke during the exchange: {ex.Message}", ex);
            }
            catch (ObjectDisposedException ex)
            {
                // The plugin stopped (and closed the link) while this exchange ran.
                throw new TerminalException("The terminal's link was closed during the exchange (the plugin is stopping).", ex);
            }
        }
        finally
        {
            _exchange.Release();
        }
    }

    private async Task<Stream> EnsureLinkAsync(CancellationToken cancellationToken)
    {
        if (_link is { } open)
        {
            return open;
        }

        var settings = LinkSettings;
        try
        {
            _link = await _links!.OpenAsync(settings.Port, settings.Line, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TerminalException($"Cannot open {settings.Port} for {settings.TerminalName}: {ex.Message}", ex) { RequestNotSent = true };
        }

        SetLinkUp(true);
        return _link;
    }

    private async Task DropLinkAsync()
    {
        var link = Interlocked.Exchange(ref _link, null);
        if (link is not null)
        {
            try
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The device is already gone.
            }
        }

        SetLinkUp(false);
    }

    private void SetLinkUp(bool up)
    {
        if (_linkUp == up)
        {
            return;
        }

        _linkUp = up;
        if (_context?.GetService<IReaderEventSink>() is { } sink)
        {
            sink.ReadersChanged(Metadata.Id);
        }
    }
}
