using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Middleware.PluginHost.Tests;

/// <summary>Finds the test plugins' build output: beside this test project's under the artifacts folder.</summary>
internal static class TestPlugins
{
    public const string EchoV1 = "TestPlugin.EchoV1";
    public const string EchoV2 = "TestPlugin.EchoV2";
    public const string Throwing = "TestPlugin.Throwing";
    public const string Hanging = "TestPlugin.Hanging";
    public const string Blocking = "TestPlugin.Blocking";
    public const string WrongContract = "TestPlugin.WrongContract";

    public static string OutputOf(string project)
    {
        // .artifacts/<slot>/bin/Middleware.PluginHost.Tests/<pivot>/ -> .artifacts/<slot>/bin/<project>/<pivot>/
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var directory = Path.Combine(own.Parent!.Parent!.FullName, project, own.Name);
        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"Test plugin output not found at {directory}: build tests/PluginHost.Tests first.");
        }

        return directory;
    }
}

/// <summary>A temporary folder with a plugins.json and plugin folders, and the catalogs created on it.</summary>
internal sealed class PluginTestBed : IAsyncDisposable
{
    private readonly List<PluginCatalog> _catalogs = [];

    public PluginTestBed(ITestOutputHelper output)
    {
        Output = output;
        Root = Path.Combine(Path.GetTempPath(), "mw-pluginhost-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        PluginsFile = Path.Combine(Root, "plugins.json");
        Logs = new TestLoggerFactory(output);
    }

    public ITestOutputHelper Output { get; }

    public string Root { get; }

    public string PluginsFile { get; }

    public TestLoggerFactory Logs { get; }

    public CardEventHub? Hub { get; private set; }

    /// <summary>Copies a test plugin's build output into <c>Root/folder</c> (overwriting what is there).</summary>
    public string Deploy(string project, string folder)
    {
        var source = TestPlugins.OutputOf(project);
        var target = Path.Combine(Root, folder);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }

        return target;
    }

    /// <summary>Lets every thread the Blocking test plugin blocks (from <c>Root/folder</c> and its shadow copies) go,
    /// and makes the later copies of that folder not block at all.</summary>
    public void ReleaseBlockingPlugin(string folder, string pluginId = "test.blocking")
    {
        File.WriteAllText(Path.Combine(Root, folder, "release"), "");
        var shadows = Path.Combine(Root, ".shadow", pluginId);
        if (Directory.Exists(shadows))
        {
            foreach (var copy in Directory.GetDirectories(shadows))
            {
                File.WriteAllText(Path.Combine(copy, "release"), "");
            }
        }
    }

    public static object Entry(string id, string folder, string assembly, bool enabled = true, object? settings = null) =>
        new { id, folder, assembly, enabled, settings = settings ?? new { } };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public void WritePlugins(params object[] entries) =>
        File.WriteAllText(PluginsFile, JsonSerializer.Serialize(new { plugins = entries }, Indented));

    public PluginCatalog CreateCatalog(TimeProvider? time = null, Action<PluginHostOptions>? configure = null)
    {
        var options = new PluginHostOptions
        {
            PluginsFile = PluginsFile,
            ShadowCopyDirectory = Path.Combine(Root, ".shadow"),
            WatchForChanges = false,
            Debounce = TimeSpan.FromMilliseconds(200),
            CallTimeout = TimeSpan.FromSeconds(10),
            UnloadTimeout = TimeSpan.FromSeconds(15),
        };
        configure?.Invoke(options);
        Hub = new CardEventHub(Logs.CreateLogger<CardEventHub>());
        var catalog = new PluginCatalog(Options.Create(options), Hub, time ?? TimeProvider.System, Logs);
        _catalogs.Add(catalog);
        return catalog;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var catalog in _catalogs)
        {
            await catalog.DisposeAsync();
        }

        Logs.Close();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class CatalogTestExtensions
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static PluginStatusInfo StatusOf(this IPluginCatalog catalog, string id) =>
        catalog.GetStatuses().Single(s => s.Id == id && s.State != PluginState.Superseded);

    /// <summary>Waits (bounded, no polling) until the plugin's status matches.</summary>
    public static async Task<PluginStatusInfo> WaitForStatusAsync(this PluginCatalog catalog, string id, Func<PluginStatusInfo, bool> predicate, TimeSpan? timeout = null)
    {
        var match = new TaskCompletionSource<PluginStatusInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, PluginStatusInfo s)
        {
            if (s.Id == id && s.State != PluginState.Superseded && predicate(s))
            {
                match.TrySetResult(s);
            }
        }

        catalog.StatusChanged += Handler;
        try
        {
            var now = catalog.GetStatuses().FirstOrDefault(s => s.Id == id && s.State != PluginState.Superseded);
            if (now is not null && predicate(now))
            {
                return now;
            }

            return await match.Task.WaitAsync(timeout ?? Patience);
        }
        catch (TimeoutException)
        {
            throw new XunitException($"Status of {id} never matched; last: {catalog.GetStatuses().FirstOrDefault(s => s.Id == id)}");
        }
        finally
        {
            catalog.StatusChanged -= Handler;
        }
    }

    /// <summary>Polls (bounded) until no plugin thread is left blocked.</summary>
    public static async Task WaitForNoBlockedThreadsAsync(this PluginCatalog catalog, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (catalog.GetBlockedThreads().Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new XunitException($"{catalog.GetBlockedThreads().Count} plugin threads still blocked");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits (bounded) until every old version's unload proof has finished.</summary>
    public static async Task WaitForUnloadProofsAsync(this PluginCatalog catalog, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (catalog.PendingUnloads > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new XunitException($"{catalog.PendingUnloads} unload proofs still pending");
            }

            await Task.Delay(20);
        }
    }

    public static Task<CardIdentity> EchoAsync(this IPluginCatalog catalog, string reader, string id = "test.echo", CancellationToken cancellationToken = default) =>
        catalog.InvokeAsync<ITerminalPlugin, CardIdentity>(id, (p, ct) => p.ReadCardAsync(reader, TimeSpan.FromSeconds(5), ct), cancellationToken);

    /// <summary>A weak reference to the load context of the plugin serving <paramref name="id"/> now.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Task<WeakReference> CaptureContextAsync(this IPluginCatalog catalog, string id) =>
        catalog.InvokeAsync<IPlugin, WeakReference>(id, static (p, _) =>
        {
            var context = AssemblyLoadContext.GetLoadContext(p.GetType().Assembly)!;
            Assert.True(context.IsCollectible);
            Assert.NotSame(AssemblyLoadContext.Default, context);
            return Task.FromResult(new WeakReference(context));
        }, CancellationToken.None);

    /// <summary>Runs full collections until the weak reference dies (bounded).</summary>
    public static async Task AssertCollectedAsync(WeakReference reference, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (!reference.IsAlive)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new XunitException("The old plugin's load context is still alive: it did not unload.");
            }

            await Task.Delay(20);
        }
    }
}

/// <summary>Card events seen by a subscriber of the hub.</summary>
internal sealed class RecordingSink : IReaderEventSink
{
    public List<string> Events { get; } = [];

    public void CardTapped(CardTapped tapped)
    {
        lock (Events)
        {
            Events.Add("tapped:" + tapped.Card.IdSupport);
        }
    }

    public void CardReadFailed(CardReadFailed failed)
    {
        lock (Events)
        {
            Events.Add("failed:" + failed.ReaderName);
        }
    }

    public void CardRemoved(CardRemoved removed)
    {
        lock (Events)
        {
            Events.Add("removed:" + removed.ReaderName);
        }
    }

    public void ReadersChanged(string pluginId)
    {
        lock (Events)
        {
            Events.Add("readers:" + pluginId);
        }
    }

    public string[] Snapshot()
    {
        lock (Events)
        {
            return [.. Events];
        }
    }
}

/// <summary>Logs to the test output (ignored once the test has finished).</summary>
internal sealed class TestLoggerFactory(ITestOutputHelper output) : ILoggerFactory
{
    private volatile bool _closed;

    private void Write(string line)
    {
        if (_closed)
        {
            return;
        }

        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished.
        }
    }

    public void Close() => _closed = true;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(TestLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                factory.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
