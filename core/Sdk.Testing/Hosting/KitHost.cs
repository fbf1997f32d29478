using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Cards.Pcsc;
using Middleware.Cards.Sam;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;
using Middleware.PluginHost;
using Middleware.PluginHost.Pcsc;
using Middleware.Plugins.Testing.Fakes;

namespace Middleware.Plugins.Testing.Hosting;

/// <summary>
/// A throw-away installation of the host's plugin host: a temporary folder with plugins.json and a copy of the plugin's
/// folder, the real <see cref="PluginCatalog"/> (shadow copies, collectible load contexts), the host's PC/SC watch
/// when a PC/SC service is given, and the host services plugins may ask for.
/// </summary>
internal sealed class KitHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _started = [];
    private readonly IDisposable _subscription;

    private KitHost(string root, string pluginFolder, ServiceProvider provider)
    {
        Root = root;
        PluginFolder = pluginFolder;
        _provider = provider;
        Catalog = provider.GetRequiredService<PluginCatalog>();
        Events = new KitEventRecorder();
        _subscription = provider.GetRequiredService<ICardEventSource>().Subscribe(Events);
    }

    public string Root { get; }

    /// <summary>The plugin's deployed folder (the copy the catalog loads from).</summary>
    public string PluginFolder { get; }

    public PluginCatalog Catalog { get; }

    public IPluginHostControl Control => Catalog;

    public KitEventRecorder Events { get; }

    /// <summary>Creates the installation and starts the host (plugins first, then the PC/SC watch).</summary>
    /// <param name="options">The plugin to load.</param>
    /// <param name="extraConfiguration">Host settings (e.g. <c>CardReaders:*</c>).</param>
    /// <param name="pcsc">The PC/SC service (fake), or null.</param>
    /// <param name="realPcsc">Use the host's real PC/SC service (<c>AddPcsc</c>).</param>
    /// <param name="samKeyFileJson">The software SAM's key file, or null for no SAM.</param>
    /// <param name="gateway">The Izly gateway, or null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<KitHost> StartAsync(
        KitPluginOptions options,
        IDictionary<string, string?> extraConfiguration,
        ISmartCardSystem? pcsc,
        bool realPcsc,
        string? samKeyFileJson,
        IIzlyGateway? gateway,
        CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-plugin-kit", Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(root);
        }
        else
        {
            // Private: the host loads what lies here, and the SAM key file is written here.
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var folder = Path.Combine(root, "plugins", SafeName(options.PluginId));
        CopyFolder(options.PluginDirectory, folder);
        WritePluginsFile(root, options, folder);

        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PluginHost:PluginsFile"] = Path.Combine(root, "plugins.json"),
            ["PluginHost:ShadowCopyDirectory"] = Path.Combine(root, ".shadow"),
            ["PluginHost:WatchForChanges"] = "false",
            ["PluginHost:UnloadTimeout"] = options.UnloadTimeout.ToString("c"),
            ["PluginHost:CancelGrace"] = options.CancelGrace.ToString("c"),
        };
        if (samKeyFileJson is not null)
        {
            var keyFile = Path.Combine(root, "sam-keys.json");
            File.WriteAllText(keyFile, samKeyFileJson);
            if (!OperatingSystem.IsWindows())
            {
                // The software SAM refuses a key file others may read.
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            settings[SoftwareSamOptions.SectionName + ":KeyFile"] = keyFile;
        }

        foreach (var (key, value) in extraConfiguration)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(options.LoggerFactory ?? NullLoggerFactory.Instance);
        services.AddLogging();
        if (pcsc is not null)
        {
            services.AddSingleton(pcsc);
        }
        else if (realPcsc)
        {
            services.AddPcsc(configuration);
        }

        if (samKeyFileJson is not null)
        {
            services.AddSoftwareSam(configuration);
            services.AddPluginService<ISam>();
        }

        if (gateway is not null)
        {
            services.AddSingleton(gateway);
            services.AddPluginService<IIzlyGateway>();
        }

        services.AddPluginHost(configuration);
        var provider = services.BuildServiceProvider();
        var host = new KitHost(root, folder, provider);
        try
        {
            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(cancellationToken).ConfigureAwait(false);
                host._started.Add(hosted);
            }
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return host;
    }

    /// <summary>The plugin's current (non-superseded) status.</summary>
    public PluginStatusInfo Status(string pluginId) =>
        Catalog.GetStatuses().First(s => s.Id == pluginId && s.State != Contracts.Plugins.PluginState.Superseded);

    /// <summary>Touches every file of the deployed folder, as a redeploy of the same build does.</summary>
    public void TouchPluginFiles()
    {
        var now = DateTime.UtcNow;
        foreach (var file in Directory.EnumerateFiles(PluginFolder, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, now);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // As the host: the PC/SC watch stops before the plugins.
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _started[i].StopAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
                // A stop that cannot finish leaves a temp folder behind at worst.
            }
        }

        _subscription.Dispose();
        await _provider.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static void WritePluginsFile(string root, KitPluginOptions options, string folder)
    {
        JsonNode? pluginSettings;
        try
        {
            pluginSettings = JsonNode.Parse(options.SettingsJson, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"SettingsJson is not valid JSON: {ex.Message}", nameof(options), ex);
        }

        var file = new JsonObject
        {
            ["plugins"] = new JsonArray(new JsonObject
            {
                ["id"] = options.PluginId,
                ["folder"] = folder,
                ["assembly"] = options.AssemblyFileName,
                ["enabled"] = true,
                ["settings"] = pluginSettings ?? new JsonObject(),
            }),
        };
        File.WriteAllText(Path.Combine(root, "plugins.json"), file.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void CopyFolder(string source, string target)
    {
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"The plugin folder '{source}' does not exist: build the plugin first.");
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
    }

    private static string SafeName(string id) => string.Concat(id.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
