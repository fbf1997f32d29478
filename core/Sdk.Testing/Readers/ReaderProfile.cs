using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.PluginHost;
using Middleware.Plugins.Testing.Fakes;
using Middleware.Plugins.Testing.Hosting;
using Middleware.Plugins.Testing.Reporting;

namespace Middleware.Plugins.Testing.Readers;

/// <summary>The reader profile: a PC/SC card plugin loaded by the real catalog behind the host's PC/SC watch, one row
/// per contract point of <see cref="IPcscCardPlugin"/> and <see cref="IPlugin"/>.</summary>
internal sealed class ReaderProfile(ReaderKitOptions options, IReaderBench bench, KitHost host)
{
    private readonly CheckRecorder _checks = new();
    private readonly KitCard _sample = options.SampleCards[0];

    public async Task<IReadOnlyList<ConformanceCheck>> RunAsync()
    {
        await _checks.RunAsync("contract version", () => CommonChecks.ContractVersionAsync(host, options));
        await _checks.RunAsync("loads Active in a real catalog", () => CommonChecks.LoadsActiveAsync<IPcscCardPlugin>(host, options));
        for (var i = 0; i < options.SampleCards.Count; i++)
        {
            var card = options.SampleCards[i];
            await _checks.RunAsync($"tap: {card.Name} gives CardTapped", () => TapAsync(card));
            await _checks.RunAsync($"removal of {card.Name} gives CardRemoved", RemovalAsync);
        }

        await _checks.RunAsync($"foreign card ({options.ForeignCard.Name}) not claimed", ForeignAsync);
        await _checks.RunAsync($"card removed at APDU {options.RemoveAtApdu} gives CardRemoved", RemovedMidReadAsync);
        await _checks.RunAsync("next tap after a removal mid-read works", () => TapAsync(_sample, removeAfter: true));
        await _checks.RunAsync("garbage answer gives a stable error", GarbageAsync);
        await _checks.RunAsync("mute card gives Timeout in time", MuteAsync);
        await _checks.RunAsync($"claim < {options.ClaimLimit.TotalMilliseconds:0} ms ({options.ClaimSamples} claims)", ClaimSpeedAsync);
        await _checks.RunAsync("lifecycle: stop releases devices, claims nothing", StopAsync);
        await _checks.RunAsync("lifecycle: starts again after stop", StartAgainAsync);
        await _checks.RunAsync("hot reload unloads the old version", () => CommonChecks.HotReloadAsync(host, options, () => TapAsync(_sample, removeAfter: true)));
        return _checks.Checks;
    }

    private string Id => options.PluginId;

    private async Task<string> TapAsync(KitCard card, bool removeAfter = false)
    {
        host.Events.Clear();
        var watch = Stopwatch.StartNew();
        await bench.InsertAsync(card);
        var e = await host.Events.NextOutcomeAsync(bench.ReaderName, options.EventTimeout);
        var elapsed = watch.Elapsed;
        try
        {
            if (e is CardTapped tapped)
            {
                CheckFailedException.Unless(card.ExpectedIdSupport is null || tapped.Card.IdSupport == card.ExpectedIdSupport,
                    $"read card {tapped.Card.MaskedIdSupport}, expected {Mask(card.ExpectedIdSupport!)}");
                return $"{tapped.Card.Technology} card {tapped.Card.MaskedIdSupport} in {elapsed.TotalMilliseconds:0} ms";
            }

            throw new CheckFailedException($"expected CardTapped, got {KitEventRecorder.Describe(e)}; plugin {host.Status(Id).State}");
        }
        finally
        {
            if (removeAfter)
            {
                await RemoveAndWaitAsync();
            }
        }
    }

    private async Task<string> RemovalAsync()
    {
        host.Events.Clear();
        await bench.RemoveAsync();
        var e = await host.Events.NextAsync(bench.ReaderName, options.EventTimeout);
        CheckFailedException.Unless(e is CardRemoved, $"expected CardRemoved, got {KitEventRecorder.Describe(e)}");
        return "CardRemoved";
    }

    private async Task<string> ForeignAsync()
    {
        var claim = await ClaimAsync(options.ForeignCard);
        CheckFailedException.Unless(claim.Claim is null, $"the plugin claims it (priority {claim.Claim?.Priority})");
        host.Events.Clear();
        await bench.InsertAsync(options.ForeignCard);
        try
        {
            var e = await host.Events.NextOutcomeAsync(bench.ReaderName, options.EventTimeout);
            CheckFailedException.Unless(e is CardReadFailed { Error: CardReadError.NotAnIzlyCard },
                $"expected CardReadFailed NotAnIzlyCard, got {KitEventRecorder.Describe(e)}");
            return "claim null; CardReadFailed NotAnIzlyCard";
        }
        finally
        {
            await RemoveAndWaitAsync();
        }
    }

    private async Task<string> RemovedMidReadAsync()
    {
        host.Events.Clear();
        await bench.InsertAsync(_sample, KitCardFault.RemovedDuringApdu, options.RemoveAtApdu);
        try
        {
            // The removal itself may be reported first; the read's outcome follows it, or the host abandons the read
            // of a card that left (it then reports the removal only).
            var e = await host.Events.NextAsync(bench.ReaderName, options.EventTimeout);
            if (e is CardRemoved)
            {
                e = await host.Events.NextAsync(bench.ReaderName, TimeSpan.FromSeconds(2));
            }

            CheckFailedException.Unless(e is CardReadFailed { Error: CardReadError.CardRemoved }, $"expected CardReadFailed CardRemoved, got {KitEventRecorder.Describe(e)}");
            await EnsureActiveAsync();
            return "CardReadFailed CardRemoved; plugin Active";
        }
        finally
        {
            await RemoveAndWaitAsync();
        }
    }

    private async Task<string> GarbageAsync()
    {
        host.Events.Clear();
        var apdus = 0;
        await bench.InsertAsync(_sample.Garbage(() => Interlocked.Increment(ref apdus)));
        try
        {
            var e = await host.Events.NextOutcomeAsync(bench.ReaderName, options.EventTimeout);
            if (e is not CardReadFailed failed)
            {
                throw new CheckFailedException($"expected CardReadFailed, got {KitEventRecorder.Describe(e)}");
            }

            await EnsureActiveAsync();
            CheckFailedException.Unless(Volatile.Read(ref apdus) > 0, $"the plugin never talked to the card (CardReadFailed {failed.Error}: {failed.Detail})");
            // ReaderError is what the host reports for a plugin that threw something unmapped.
            CheckFailedException.Unless(failed.Error != CardReadError.ReaderError, $"CardReadFailed ReaderError ({failed.Detail}): the plugin did not map the card's answer");
            return $"CardReadFailed {failed.Error} after {Volatile.Read(ref apdus)} APDU(s); plugin Active";
        }
        finally
        {
            await RemoveAndWaitAsync();
        }
    }

    private async Task<string> MuteAsync()
    {
        var readTimeout = TimeSpan.FromMilliseconds(ReadTimeoutMs());
        var bound = readTimeout + options.HostReadBudget;
        host.Events.Clear();
        var watch = Stopwatch.StartNew();
        await bench.InsertAsync(_sample, KitCardFault.Mute, silence: readTimeout + Min(TimeSpan.FromMilliseconds(300), options.HostReadBudget / 4));
        try
        {
            var e = await host.Events.NextOutcomeAsync(bench.ReaderName, bound + options.EventTimeout);
            var end = Stopwatch.GetTimestamp();
            var total = watch.Elapsed;
            CheckFailedException.Unless(e is CardReadFailed { Error: CardReadError.Timeout }, $"expected CardReadFailed Timeout, got {KitEventRecorder.Describe(e)}");
            // Timed from the read's first APDU: how soon the reader sees the card is the PC/SC service's business.
            var start = bench.FirstApduTimestamp;
            CheckFailedException.Unless(start is not null, "the plugin never talked to the card");
            var elapsed = Stopwatch.GetElapsedTime(start!.Value, end);
            CheckFailedException.Unless(elapsed <= bound, $"Timeout {elapsed.TotalMilliseconds:0} ms after the first APDU, more than readTimeoutMs {readTimeout.TotalMilliseconds:0} + host budget {options.HostReadBudget.TotalMilliseconds:0}");
            await EnsureActiveAsync();
            return $"Timeout {elapsed.TotalMilliseconds:0} ms after the first APDU ({total.TotalMilliseconds:0} ms after insertion; bound {bound.TotalMilliseconds:0} ms); plugin Active{bench.MuteNote}";
        }
        finally
        {
            await RemoveAndWaitAsync();
        }
    }

    private async Task<string> ClaimSpeedAsync()
    {
        var times = new List<double>(options.ClaimSamples);
        var claim = await ClaimAsync(_sample);
        CheckFailedException.Unless(claim.Claim is not null, "the plugin does not claim the sample card");
        for (var i = 0; i < options.ClaimSamples; i++)
        {
            var card = i % 2 == 0 ? _sample : options.ForeignCard;
            var (_, took) = await ClaimAsync(card);
            times.Add(took.TotalMilliseconds);
            if (took > options.ClaimLimit)
            {
                throw new CheckFailedException($"claim {i + 1} of {card.Name} took {took.TotalMilliseconds:0} ms");
            }
        }

        times.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"median {times[times.Count / 2]:0.000} ms, max {times[^1]:0.000} ms; sample claimed with priority {claim.Claim!.Value.Priority}");
    }

    private async Task<string> StopAsync()
    {
        var disabled = await host.Control.DisableAsync(Id, CancellationToken.None);
        CheckFailedException.Unless(disabled.State == PluginState.Disabled, $"after stop: {disabled.State} ({disabled.Reason})");
        CheckFailedException.Unless(!host.Catalog.ActivePlugins<IPcscCardPlugin>().Contains(Id), "still listed as an active card plugin after stop");
        CheckFailedException.Unless(bench.OpenConnections is null or 0, $"{bench.OpenConnections} PC/SC connections open after stop");

        // Stopped, it must claim nothing: the sample card is nobody's now.
        host.Events.Clear();
        await bench.InsertAsync(_sample);
        var e = await host.Events.NextOutcomeAsync(bench.ReaderName, options.EventTimeout);
        await RemoveAndWaitAsync();
        CheckFailedException.Unless(e is CardReadFailed { Error: CardReadError.NotAnIzlyCard }, $"after stop, a tap gave {KitEventRecorder.Describe(e)} instead of NotAnIzlyCard");
        return $"Disabled; a tap is nobody's (NotAnIzlyCard){(bench.OpenConnections is null ? "" : "; 0 PC/SC connections open")}";
    }

    private async Task<string> StartAgainAsync()
    {
        var enabled = await host.Control.EnableAsync(Id, CancellationToken.None);
        CheckFailedException.Unless(enabled.State == PluginState.Active, $"after start again: {enabled.State} ({enabled.Reason})");
        var tap = await TapAsync(_sample, removeAfter: true);
        CheckFailedException.Unless(bench.OpenConnections is null or 0, $"{bench.OpenConnections} PC/SC connections left open after the reads");
        return $"Active again; {tap}";
    }

    private async Task<(CardClaim? Claim, TimeSpan Took)> ClaimAsync(KitCard card)
    {
        var presented = new PresentedCard(bench.ReaderName, card.Atr.ToArray());
        // Timed inside the plugin's thread: the plugin's own time, not the catalog's hop.
        var (claim, ticks) = await host.Catalog.InvokeAsync<IPcscCardPlugin, (CardClaim?, long)>(Id, (p, _) =>
        {
            var start = Stopwatch.GetTimestamp();
            var c = p.Claim(presented);
            return Task.FromResult((c, Stopwatch.GetTimestamp() - start));
        }, TimeSpan.FromSeconds(5), CancellationToken.None);
        return (claim, Stopwatch.GetElapsedTime(0, ticks));
    }

    private async Task RemoveAndWaitAsync()
    {
        await bench.RemoveAsync();
        // Let the watch see the reader empty before the next check inserts a card (pcscd polls presence).
        await host.Events.WaitForRemovalAsync(bench.ReaderName, TimeSpan.FromMilliseconds(bench.OpenConnections is null ? 3000 : 300));
    }

    private Task EnsureActiveAsync()
    {
        var status = host.Status(Id);
        CheckFailedException.Unless(status.State == PluginState.Active, $"plugin {status.State}: {status.Reason}");
        return Task.CompletedTask;
    }

    private int ReadTimeoutMs()
    {
        using var doc = JsonDocument.Parse(options.SettingsJson);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name.Equals("readTimeoutMs", StringComparison.OrdinalIgnoreCase) && p.Value.TryGetInt32(out var ms))
            {
                return ms;
            }
        }

        return 5000;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Mask(string id) => id.Length <= 4 ? "****" : new string('*', id.Length - 4) + id[^4..];
}
