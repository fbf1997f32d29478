using Microsoft.Extensions.Logging;
using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>
/// The starting point of a PC/SC card plugin: a technology plugin writes its claim (<see cref="ClaimCard"/>), its read
/// sequence (<see cref="ReadCardAsync"/>) and its settings; the base does the rest.
/// </summary>
/// <remarks>
/// <para>The host watches the readers and hands over each card whose claim wins (see <see cref="IPcscCardPlugin"/>).
/// This base reads the common settings (<see cref="PcscCardSettings"/>: reader-name filter, read timeout), refuses
/// cards on readers outside the filter, bounds each read by its timeout, maps every failure to a
/// <see cref="CardReadException"/> (<see cref="CardErrors.Map"/>), gives the host's SAM (<see cref="RequireSam"/>) and
/// never lets a claim throw.</para>
/// <para>Override <see cref="OnStartAsync"/> to read your own settings (<c>Context.GetSettings&lt;T&gt;()</c>, which
/// throws <see cref="ArgumentException"/> on a bad value: the host then shows the plugin Faulted with that reason) and
/// <see cref="OnStopAsync"/> to release what you hold.</para>
/// </remarks>
public abstract class PcscCardPluginBase : IPcscCardPlugin
{
    private IPluginContext? _context;
    private ValidatedPcscCardSettings? _common;
    private ISam? _sam;

    /// <summary>Creates the plugin.</summary>
    /// <param name="id">The plugin id (its key in <c>plugins.json</c>), e.g. <c>reader.classic</c>.</param>
    /// <param name="version">The plugin's own version.</param>
    /// <param name="displayName">A name for operators.</param>
    /// <param name="technologies">The technologies it reads.</param>
    protected PcscCardPluginBase(string id, string version, string displayName, params CardTechnology[] technologies)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(technologies);
        Metadata = new PluginMetadata(id, version, ContractInfo.Version, displayName);
        Technologies = [.. technologies];
    }

    /// <inheritdoc />
    public PluginMetadata Metadata { get; }

    /// <inheritdoc />
    public IReadOnlyList<CardTechnology> Technologies { get; }

    /// <summary>The host's services for this instance; valid between start and stop.</summary>
    protected IPluginContext Context => _context ?? throw new InvalidOperationException($"{Metadata.Id} is not started.");

    /// <summary>The plugin's logger (never log keys or full card numbers: <see cref="CardIdentity.MaskedIdSupport"/>).</summary>
    protected ILogger Logger => Context.Logger;

    /// <summary>The host's clock.</summary>
    protected TimeProvider Time => Context.Time;

    /// <summary>The common settings, checked.</summary>
    protected ValidatedPcscCardSettings CommonSettings => _common ?? throw new InvalidOperationException($"{Metadata.Id} is not started.");

    /// <summary>The host's SAM, or null when it has none.</summary>
    protected ISam? Sam => _sam;

    /// <inheritdoc />
    public async Task StartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _common = context.GetSettings<PcscCardSettings>().Validate();
        _sam = context.GetService<ISam>();
        _context = context;
        await OnStartAsync(context, cancellationToken).ConfigureAwait(false);
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
            _sam = null;
            _context = null;
        }
    }

    /// <inheritdoc />
    public CardClaim? Claim(PresentedCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (_context is null || _common is null || !_common.Accepts(card.ReaderName))
        {
            return null;
        }

        try
        {
            return ClaimCard(card);
        }
        catch (Exception ex)
        {
            // A claim is a question, not an operation: a plugin that cannot answer it leaves the card to others.
            _context.Logger.LogWarning("Claim of a card on {Reader} threw {Exception}; left to other plugins", card.ReaderName, ex.GetType().Name);
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<CardIdentity> ReadAsync(IPcscCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        var settings = CommonSettings;
        using var timeout = new CancellationTokenSource(settings.ReadTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var start = Time.GetTimestamp();
        try
        {
            return await ReadCardAsync(card, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested && Time.GetElapsedTime(start) >= settings.ReadTimeout)
        {
            // An answer that came after the deadline (a reader driver giving up on a mute card, 6F 00) is the timeout,
            // even when the timer's callback has not run yet on a loaded machine.
            throw new CardReadException(CardReadError.Timeout, $"The card did not complete the read within {settings.ReadTimeout.TotalSeconds:0.#} s.", ex);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CardReadException(CardReadError.Timeout, $"The card did not complete the read within {settings.ReadTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw MapError(ex);
        }
    }

    /// <summary>The host's SAM; throws a <see cref="CardReadError.SamError"/> read failure when this host has none.</summary>
    protected ISam RequireSam() =>
        _sam ?? throw new CardReadException(CardReadError.SamError, "This host has no SAM: the card cannot be authenticated.");

    /// <summary>Whether this plugin reads <paramref name="card"/> (its reader already passed the name filter). Cheap:
    /// look at the ATR, do no I/O.</summary>
    /// <param name="card">The reader and the ATR.</param>
    protected abstract CardClaim? ClaimCard(PresentedCard card);

    /// <summary>The read sequence: talk to <paramref name="card"/> and return its identity. Throw what happens; the base
    /// maps it (<see cref="MapError"/>) and enforces the read timeout through <paramref name="cancellationToken"/>.</summary>
    /// <param name="card">The connected card.</param>
    /// <param name="cancellationToken">Honour it on every call.</param>
    protected abstract Task<CardIdentity> ReadCardAsync(IPcscCard card, CancellationToken cancellationToken);

    /// <summary>Maps a failure of the read to a <see cref="CardReadException"/>; default <see cref="CardErrors.Map"/>.</summary>
    /// <param name="ex">What the read threw.</param>
    protected virtual CardReadException MapError(Exception ex) => CardErrors.Map(ex);

    /// <summary>Called at the end of start, with the context set: read your own settings here.</summary>
    /// <param name="context">The context.</param>
    /// <param name="cancellationToken">Cancelled when the host gives up waiting.</param>
    protected virtual Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called first in stop: release what you hold.</summary>
    /// <param name="cancellationToken">Cancelled when the host gives up waiting.</param>
    protected virtual Task OnStopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
