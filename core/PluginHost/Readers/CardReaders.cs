using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;

namespace Middleware.PluginHost.Readers;

/// <summary>
/// The host's readers: the PC/SC readers its watcher drives (when this host has PC/SC) and the terminals of terminal
/// plugins. A read on demand goes to whichever drives the reader.
/// </summary>
internal sealed class CardReaders(PluginCatalog catalog, PcscCardWatcher? watcher, IReaderEventSink events, TimeProvider time, CardReaderOptions options) : ICardReaders
{
    public async Task<IReadOnlyList<ReaderDescriptor>> GetReadersAsync(CancellationToken cancellationToken)
    {
        var readers = new List<ReaderDescriptor>();
        if (watcher is not null)
        {
            var (statuses, serviceUp) = watcher.Snapshot();
            var technologies = await TechnologiesAsync(cancellationToken).ConfigureAwait(false);
            readers.AddRange(statuses.Select(s => new ReaderDescriptor(s.ReaderName, PcscCardWatcher.ReadersOwner, technologies,
                !serviceUp || s.State == Pcsc.SmartCardReaderState.Unavailable ? ReaderState.Unavailable
                : s.HasCard ? ReaderState.CardPresent : ReaderState.Empty)));
        }

        readers.AddRange(await catalog.GetTerminalsAsync(cancellationToken).ConfigureAwait(false));
        return readers;
    }

    public async Task<CardIdentity> ReadCardAsync(string readerName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(readerName);
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(5))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "A card read waits from 1 ms to 5 min.");
        }

        if (watcher is not null && await watcher.ReadNowAsync(readerName, timeout, cancellationToken).ConfigureAwait(false) is { } pcscCard)
        {
            return pcscCard;
        }

        var owner = await TerminalOwnerAsync(readerName, cancellationToken).ConfigureAwait(false);
        var read = await catalog.InvokeAsync<ITerminalPlugin, CardIdentity>(owner, (plugin, ct) => plugin.ReadCardAsync(readerName, timeout, ct), timeout + options.TerminalMargin, cancellationToken)
            .ConfigureAwait(false);
        var card = read with { ReaderName = readerName };
        events.CardTapped(new CardTapped(card, time.GetUtcNow()));
        return card;
    }

    public async Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var owner = await TerminalOwnerAsync(request.TerminalName, cancellationToken).ConfigureAwait(false);
        var result = await catalog.InvokeAsync<ITerminalPlugin, TerminalPaymentResult>(owner, (plugin, ct) => plugin.TakePaymentAsync(request, ct), request.Timeout + options.TerminalMargin, cancellationToken)
            .ConfigureAwait(false);
        return new TerminalPaymentResult(result.Outcome, result.Amount, result.Report);
    }

    public async Task<TerminalPaymentResult> RefundAsync(TerminalPaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var owner = await TerminalOwnerAsync(request.TerminalName, cancellationToken).ConfigureAwait(false);
        var result = await catalog.InvokeAsync<ITerminalPlugin, TerminalPaymentResult>(owner, (plugin, ct) => plugin.RefundAsync(request, ct), request.Timeout + options.TerminalMargin, cancellationToken)
            .ConfigureAwait(false);
        return new TerminalPaymentResult(result.Outcome, result.Amount, result.Report);
    }

    private async Task<string> TerminalOwnerAsync(string terminalName, CancellationToken cancellationToken)
    {
        var terminal = (await catalog.GetTerminalsAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(t => string.Equals(t.Name, terminalName, StringComparison.Ordinal));
        return terminal?.PluginId ?? throw new MiddlewareException(ErrorCode.UnknownReader, $"No reader or terminal '{terminalName}' on this host.");
    }

    // What the active card plugins read, for the reader list (each answers within the claim budget, or is left out).
    private async Task<IReadOnlyList<CardTechnology>> TechnologiesAsync(CancellationToken cancellationToken)
    {
        var all = new SortedSet<CardTechnology>();
        foreach (var id in catalog.ActivePlugins<IPcscCardPlugin>())
        {
            try
            {
                var technologies = await catalog.InvokeAsync<IPcscCardPlugin, CardTechnology[]>(id, (plugin, _) => Task.FromResult(plugin.Technologies.ToArray()), options.ClaimTimeout, cancellationToken)
                    .ConfigureAwait(false);
                all.UnionWith(technologies);
            }
            catch (MiddlewareException)
            {
                // Its status says why; its technologies are simply not offered meanwhile.
            }
        }

        return [.. all];
    }
}
