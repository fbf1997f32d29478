using System.Diagnostics;
using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.PluginHost;
using Middleware.Plugins.Testing.Reporting;

namespace Middleware.Plugins.Testing.Hosting;

/// <summary>The checks every profile runs: contract version, loading, hot reload.</summary>
internal static class CommonChecks
{
    /// <summary>The plugin's metadata and the contract and SDK versions its assembly references, as the host checks them.</summary>
    public static async Task<string> ContractVersionAsync(KitHost host, KitPluginOptions options)
    {
        var assembly = Path.Combine(options.PluginDirectory, options.AssemblyFileName);
        CheckFailedException.Unless(File.Exists(assembly), $"{assembly} does not exist.");
        if (PluginLoading.CheckReferences(assembly) is { } failure)
        {
            throw new CheckFailedException(failure.Reason);
        }

        var status = host.Status(options.PluginId);
        CheckFailedException.Unless(status.State != PluginState.NotSupported, $"the host refused it: {status.Reason}");
        var version = await host.Catalog.InvokeAsync<IPlugin, string>(options.PluginId, (p, _) => Task.FromResult(p.Metadata.ContractVersion.ToString()), CancellationToken.None);
        CheckFailedException.Unless(ContractInfo.IsCompatible(Version.Parse(version)), $"metadata says contract {version}; this host has {ContractInfo.Version}");
        return $"metadata {version}; references compatible with {ContractInfo.Version}";
    }

    /// <summary>Active in the catalog, as a <typeparamref name="TPlugin"/>.</summary>
    public static Task<string> LoadsActiveAsync<TPlugin>(KitHost host, KitPluginOptions options) where TPlugin : class, IPlugin
    {
        var status = host.Status(options.PluginId);
        CheckFailedException.Unless(status.State == PluginState.Active, $"{status.State}: {status.Reason}");
        CheckFailedException.Unless(host.Catalog.ActivePlugins<TPlugin>().Contains(options.PluginId), $"Active, but not as an {typeof(TPlugin).Name}");
        return Task.FromResult($"Active, version {status.Version}");
    }

    /// <summary>Reloads the same files (touched) through the operator control and waits for the host's unload proof of
    /// the old version (its collectible load context collected); then <paramref name="probe"/> checks the new one works.</summary>
    public static async Task<string> HotReloadAsync(KitHost host, KitPluginOptions options, Func<Task<string>> probe)
    {
        var id = options.PluginId;
        var before = host.Control.GetUnloadHistory().Count;
        var version = host.Status(id).Version;
        host.TouchPluginFiles();
        var watch = Stopwatch.StartNew();
        var status = await host.Control.ReloadAsync(id, CancellationToken.None).ConfigureAwait(false);
        CheckFailedException.Unless(status.State == PluginState.Active, $"after reload: {status.State} ({status.Reason})");
        var bound = options.UnloadTimeout + TimeSpan.FromSeconds(5);
        PluginUnloadRecord? record = null;
        while (watch.Elapsed < bound)
        {
            record = host.Control.GetUnloadHistory().Skip(before).FirstOrDefault(r => r.Id == id);
            if (record is not null && host.Control.PendingUnloads == 0)
            {
                break;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        CheckFailedException.Unless(record is not null, $"no unload proof of the old version within {bound.TotalSeconds:0} s");
        CheckFailedException.Unless(record!.Unloaded,
            $"old version {record.Version} NOT unloaded after {record.GcPasses} collections ({record.Elapsed.TotalMilliseconds:0} ms): something keeps its load context alive");
        var after = await probe().ConfigureAwait(false);
        return $"old {version} unloaded in {record.Elapsed.TotalMilliseconds:0} ms ({record.GcPasses} GC passes); then {after}";
    }
}
