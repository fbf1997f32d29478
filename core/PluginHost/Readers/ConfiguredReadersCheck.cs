using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.PluginHost.Pcsc;

namespace Middleware.PluginHost.Readers;

/// <summary>
/// At start, warns about each reader of <c>PointsOfSale:i:Readers</c> that PC/SC does not list. A warning, not a
/// refusal: readers are plugged in and out while the host runs, and a reader's taps reach its till once it appears.
/// Runs beside the start (a pcscd that does not answer must not hold the host), bounded by <see cref="ListTimeout"/>.
/// A point of sale's <c>Terminal</c> is a serial terminal, never a PC/SC reader: not looked for.
/// </summary>
internal sealed partial class ConfiguredReadersCheck(
    ISmartCardSystem pcsc, IOptions<List<PointOfSaleOptions>> pointsOfSale, ILogger<ConfiguredReadersCheck> logger) : BackgroundService
{
    internal static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var (setting, reader) in await MissingAsync(stoppingToken).ConfigureAwait(false))
            {
                LogNotSeen(setting, reader);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // No PC/SC service (or none answering in time): the watcher reports it and keeps trying.
            LogNoList(ex.GetType().Name, ex.Message);
        }
    }

    /// <summary>The configured readers PC/SC does not list now, each with its setting's path.</summary>
    internal async Task<IReadOnlyList<(string Setting, string Reader)>> MissingAsync(CancellationToken cancellationToken)
    {
        var list = pointsOfSale.Value;
        if (list.All(p => p.Readers.Count == 0))
        {
            return [];
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ListTimeout);
        var seen = (await pcsc.ListReadersAsync(bounded.Token).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var missing = new List<(string, string)>();
        for (var i = 0; i < list.Count; i++)
        {
            for (var r = 0; r < list[i].Readers.Count; r++)
            {
                var reader = list[i].Readers[r];
                if (!string.IsNullOrWhiteSpace(reader) && !seen.Contains(reader) && reader != list[i].Terminal)
                {
                    missing.Add((string.Create(CultureInfo.InvariantCulture, $"PointsOfSale:{i}:Readers:{r}"), reader));
                }
            }
        }

        return missing;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Setting}: PC/SC does not see the reader {Reader} at start; its taps reach the till once it is plugged in")]
    private partial void LogNotSeen(string setting, string reader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The configured readers could not be compared with PC/SC's at start ({Error}: {Reason})")]
    private partial void LogNoList(string error, string reason);
}
