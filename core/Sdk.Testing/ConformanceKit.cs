using Middleware.Plugins.Testing.Channels;
using Middleware.Plugins.Testing.Fakes;
using Middleware.Plugins.Testing.Hosting;
using Middleware.Plugins.Testing.Readers;

namespace Middleware.Plugins.Testing;

/// <summary>
/// The plugin conformance kit: loads a plugin's build output the way the host does (a temporary installation with
/// plugins.json, the real plugin catalog with shadow copies and a collectible load context) and checks, row by row,
/// that it honours contract 2.0. Each run is independent and cleans up after itself.
/// </summary>
public static class ConformanceKit
{
    /// <summary>Runs the reader profile against a PC/SC card plugin (<c>IPcscCardPlugin</c>), on the kit's fake PC/SC
    /// service or, with <see cref="ReaderKitOptions.UseRealPcsc"/>, on pcscd + vsmartcard-vpcd.</summary>
    /// <param name="options">The plugin and its sample cards.</param>
    /// <param name="cancellationToken">Cancels the host's start.</param>
    public static async Task<ConformanceReport> RunReaderProfileAsync(ReaderKitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SampleCards is not { Count: > 0 })
        {
            throw new ArgumentException("At least one sample card is needed.", nameof(options));
        }

        IReaderBench bench = options.UseRealPcsc
            ? await VpcdReaderBench.CreateAsync(options.RealReaderName, options.VpcdPort).ConfigureAwait(false)
            : new FakeReaderBench();
        await using (bench.ConfigureAwait(false))
        {
            var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["CardReaders:ReadBudget"] = options.HostReadBudget.ToString("c"),
                ["CardReaders:ClaimTimeout"] = TimeSpan.FromSeconds(1).ToString("c"),
                ["CardReaders:ServiceRetryDelay"] = TimeSpan.FromSeconds(1).ToString("c"),
                // The fake's changes are instant; pcscd's need the host's own debounce.
                ["CardReaders:Debounce"] = (options.UseRealPcsc ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero).ToString("c"),
            };
            var host = await KitHost.StartAsync(options, settings, (bench as FakeReaderBench)?.Pcsc, options.UseRealPcsc, options.SamKeyFileJson, null, cancellationToken)
                .ConfigureAwait(false);
            await using (host.ConfigureAwait(false))
            {
                var checks = await new ReaderProfile(options, bench, host).RunAsync().ConfigureAwait(false);
                return new ConformanceReport(options.PluginId, $"reader ({bench.Mode})", checks);
            }
        }
    }

    /// <summary>Runs the channel profile against a payment channel (<c>IPaymentChannelPlugin</c> or
    /// <c>IWebPaymentChannelPlugin</c>) with the kit's <see cref="FakeIzlyGateway"/>.</summary>
    /// <param name="options">The plugin.</param>
    /// <param name="cancellationToken">Cancels the host's start.</param>
    public static async Task<ConformanceReport> RunChannelProfileAsync(ChannelKitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gateway = new FakeIzlyGateway();
        var host = await KitHost.StartAsync(options, new Dictionary<string, string?>(), null, false, null, gateway, cancellationToken).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            var checks = await new ChannelProfile(options, host, gateway).RunAsync().ConfigureAwait(false);
            return new ConformanceReport(options.PluginId, "channel (fake Izly gateway)", checks);
        }
    }
}
