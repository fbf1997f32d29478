using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Logging;
using Middleware.Contracts;
using Middleware.Contracts.Plugins;

namespace Middleware.PluginHost;

/// <summary>A plugin assembly loaded (and verified) in its own collectible context, not started yet.</summary>
internal sealed class LoadedPlugin
{
    public required PluginLoader Loader { get; init; }

    public required IPlugin Plugin { get; init; }

    public required PluginMetadata Metadata { get; init; }

    public required string ShadowDirectory { get; init; }

    public required string SourceFingerprint { get; init; }

    public required WeakReference ContextReference { get; init; }
}

/// <summary>Why a plugin could not be loaded, with the state it gets.</summary>
internal sealed record LoadFailure(PluginState State, string Reason);

/// <summary>Shadow copy, load, eager type check and contract check of one plugin folder.</summary>
internal static class PluginLoading
{
    /// <summary>Types whose assemblies are shared with the host (one copy of the contract for everyone).</summary>
    private static readonly Type[] SharedTypes =
    [
        typeof(IPlugin),
        typeof(Middleware.Plugins.Sdk.Pcsc.PcscCardPluginBase),
        typeof(ILogger),
        typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection),
    ];

    /// <summary>A fingerprint of a folder's files (relative names and contents), to notice changes and copies in progress.</summary>
    public static string Fingerprint(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return "missing";
        }

        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(folder, file) + "\n"));
                hash.AppendData(File.ReadAllBytes(file));
            }

            return Convert.ToHexString(hash.GetHashAndReset());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file being written or deleted right now: a unique value, so the caller sees "changed".
            return "unreadable-" + Guid.NewGuid().ToString("N");
        }
    }

    /// <summary>Copies <paramref name="source"/> into a new folder under <paramref name="shadowRoot"/>. Fails when the
    /// files changed during the copy (a deployment still in progress): the caller retries after the debounce.</summary>
    public static (string? Directory, string Fingerprint, LoadFailure? Failure) ShadowCopy(string source, string shadowRoot, string pluginId)
    {
        if (!Directory.Exists(source))
        {
            return (null, "missing", new LoadFailure(PluginState.NotSupported, $"Plugin folder '{source}' does not exist."));
        }

        var before = Fingerprint(source);
        var target = Path.Combine(shadowRoot, Sanitize(pluginId), Guid.NewGuid().ToString("N")[..12]);
        try
        {
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            {
                var destination = Path.Combine(target, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination, overwrite: true);
                if (!OperatingSystem.IsWindows())
                {
                    // File.Copy keeps the source's mode (often 0644): the copy is the host's alone, like its other files.
                    File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(target);
            return (null, before, new LoadFailure(PluginState.NotSupported, $"Plugin folder could not be copied (files still being written?): {ex.Message}"));
        }

        var after = Fingerprint(source);
        if (before != after)
        {
            TryDelete(target);
            return (null, after, new LoadFailure(PluginState.NotSupported, "Plugin files changed while being copied (deployment in progress)."));
        }

        return (target, before, null);
    }

    /// <summary>Loads the plugin in <paramref name="directory"/> into a new collectible context, loads all its types
    /// and dependencies, creates the plugin object and checks its metadata. Never throws.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (LoadedPlugin? Plugin, LoadFailure? Failure) Load(PluginEntry entry, string directory, string fingerprint, StrongBox<string?> place)
    {
        // place: where the plugin's code is now, so that a load the host gives up on can name it.
        Volatile.Write(ref place.Value, "loading its assemblies and types");
        var mainPath = Path.Combine(directory, entry.Assembly);
        if (!File.Exists(mainPath))
        {
            return (null, new LoadFailure(PluginState.NotSupported, $"Assembly '{entry.Assembly}' not found in the plugin folder."));
        }

        // Before any type loads: a plugin compiled against another contract would fail with a TypeLoadException that
        // says nothing useful; its references say which version it needs.
        if (CheckReferences(mainPath) is { } referenceFailure)
        {
            return (null, referenceFailure);
        }

        PluginLoader? loader = null;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(mainPath, isUnloadable: true, SharedTypes, config =>
            {
                config.PreferSharedTypes = true;
            });

            var (type, failure) = FindPluginType(loader);
            if (failure is not null)
            {
                Dispose(loader);
                return (null, failure);
            }

            IPlugin plugin;
            PluginMetadata? metadata;
            try
            {
                Volatile.Write(ref place.Value, "the constructor");
                plugin = (IPlugin)Activator.CreateInstance(type!)!;
                Volatile.Write(ref place.Value, "Metadata");
                metadata = plugin.Metadata;
            }
            catch (Exception ex)
            {
                var inner = ex is TargetInvocationException { InnerException: { } i } ? i : ex;
                Dispose(loader);
                return (null, new LoadFailure(PluginState.Malfunctioned, $"Plugin threw while loading: {Describe(inner)}"));
            }

            failure = CheckMetadata(entry, metadata);
            if (failure is not null)
            {
                Dispose(loader);
                return (null, failure);
            }

            return (new LoadedPlugin
            {
                Loader = loader,
                Plugin = plugin,
                Metadata = metadata!,
                ShadowDirectory = directory,
                SourceFingerprint = fingerprint,
                ContextReference = new WeakReference(loader.LoadContext),
            }, null);
        }
        catch (Exception ex)
        {
            if (loader is not null)
            {
                Dispose(loader);
            }

            var state = ex is BadImageFormatException or FileLoadException or FileNotFoundException or TypeLoadException
                ? PluginState.NotSupported
                : PluginState.Malfunctioned;
            return (null, new LoadFailure(state, $"Plugin assembly could not be loaded (incomplete or corrupt file?): {Describe(ex)}"));
        }
    }

    private static (Type? Type, LoadFailure? Failure) FindPluginType(PluginLoader loader)
    {
        var assembly = loader.LoadDefaultAssembly();
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            var why = string.Join("; ", ex.LoaderExceptions.Where(e => e is not null).Select(e => e!.Message).Distinct().Take(3));
            return (null, new LoadFailure(PluginState.NotSupported, $"Some plugin types cannot load (contract or dependency mismatch): {why}"));
        }

        // Load every dependency now, not in the middle of a sale.
        var failure = LoadReferences(loader, assembly);
        if (failure is not null)
        {
            return (null, failure);
        }

        foreach (var t in types)
        {
            try
            {
                TouchMembers(t);
            }
            catch (Exception ex) when (ex is TypeLoadException or FileNotFoundException or FileLoadException or MissingMemberException or BadImageFormatException)
            {
                return (null, new LoadFailure(PluginState.NotSupported, $"Type {t.FullName} cannot load (contract or dependency mismatch): {ex.Message}"));
            }
        }

        var candidates = types.Where(t => t.IsPublic && t.IsClass && !t.IsAbstract && typeof(IPlugin).IsAssignableFrom(t)).ToList();
        if (candidates.Count == 0)
        {
            var foreignContract = types.Any(t => t.GetInterfaces().Any(i => i.FullName == typeof(IPlugin).FullName));
            return (null, new LoadFailure(PluginState.NotSupported, foreignContract
                ? "The plugin implements another copy of the contract assembly (the contract must not be shipped with the plugin)."
                : "Not a plugin: no public class implements IPlugin."));
        }

        if (candidates.Count > 1)
        {
            return (null, new LoadFailure(PluginState.NotSupported,
                $"Several public classes implement IPlugin ({string.Join(", ", candidates.Select(c => c.Name))}); exactly one is allowed."));
        }

        if (candidates[0].GetConstructor(Type.EmptyTypes) is null)
        {
            return (null, new LoadFailure(PluginState.NotSupported, $"{candidates[0].FullName} has no public parameterless constructor."));
        }

        return (candidates[0], null);
    }

    private static LoadFailure? LoadReferences(PluginLoader loader, Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<Assembly>([root]);
        while (queue.Count > 0)
        {
            var assembly = queue.Dequeue();
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (name.Name is null || !seen.Add(name.Name))
                {
                    continue;
                }

                try
                {
                    var loaded = loader.LoadContext.LoadFromAssemblyName(name);

                    // Only walk the plugin's own assemblies; the host's and the framework's are already complete.
                    if (AssemblyLoadContext.GetLoadContext(loaded) == loader.LoadContext)
                    {
                        queue.Enqueue(loaded);
                    }
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    return new LoadFailure(PluginState.NotSupported, $"Dependency {name.Name} {name.Version} of {assembly.GetName().Name} cannot load: {ex.Message}");
                }
            }
        }

        return null;
    }

    private static void TouchMembers(Type t)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        _ = t.BaseType;
        _ = t.GetInterfaces();
        foreach (var f in t.GetFields(all))
        {
            _ = f.FieldType;
        }

        foreach (var m in t.GetMethods(all))
        {
            _ = m.ReturnType;
            _ = m.GetParameters().Select(p => p.ParameterType).ToList();
        }

        foreach (var p in t.GetProperties(all))
        {
            _ = p.PropertyType;
        }
    }

    /// <summary>The versions of the contract and the SDK the assembly was compiled against, read from its metadata
    /// without loading it; a failure when one is not compatible with this host's.</summary>
    internal static LoadFailure? CheckReferences(string assemblyPath)
    {
        try
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            if (!pe.HasMetadata)
            {
                return new LoadFailure(PluginState.NotSupported, $"{Path.GetFileName(assemblyPath)} is not a .NET assembly.");
            }

            var reader = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            foreach (var handle in reader.AssemblyReferences)
            {
                var reference = reader.GetAssemblyReference(handle);
                var name = reader.GetString(reference.Name);
                if (name is not ("Middleware.Contracts" or "Middleware.Plugins.Sdk"))
                {
                    continue;
                }

                var built = new Version(reference.Version.Major, reference.Version.Minor);
                if (!ContractInfo.IsCompatible(built))
                {
                    return new LoadFailure(PluginState.NotSupported,
                        $"Compiled against {name} {built}; this host has contract {ContractInfo.Version}: the plugin needs a host with contract {built.Major}.x (at least {built}), or a build against {ContractInfo.Major}.x.");
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            return new LoadFailure(PluginState.NotSupported, $"{Path.GetFileName(assemblyPath)} cannot be read as an assembly: {Describe(ex)}");
        }
    }

    private static LoadFailure? CheckMetadata(PluginEntry entry, PluginMetadata? metadata)
    {
        if (metadata is null || metadata.ContractVersion is null || string.IsNullOrWhiteSpace(metadata.Id))
        {
            return new LoadFailure(PluginState.NotSupported, "The plugin gives no metadata (id and contract version).");
        }

        if (!ContractInfo.IsCompatible(metadata.ContractVersion))
        {
            return new LoadFailure(PluginState.NotSupported,
                $"Built for contract {metadata.ContractVersion}; this host has contract {ContractInfo.Version} (needs the same major version and a minor version not newer).");
        }

        if (!string.Equals(metadata.Id, entry.Id, StringComparison.Ordinal))
        {
            return new LoadFailure(PluginState.NotSupported, $"The assembly is plugin '{metadata.Id}', but plugins.json lists it as '{entry.Id}'.");
        }

        return null;
    }

    internal static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";

    /// <summary>Unloads a loaded plugin the host no longer wants (e.g. one whose load returned too late).</summary>
    internal static void Discard(PluginLoader loader) => Dispose(loader);

    private static void Dispose(PluginLoader loader)
    {
        try
        {
            loader.Dispose();
        }
        catch (Exception)
        {
            // Unloading a context that failed to load: nothing more to do.
        }
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: on Windows a file may still be mapped; the whole shadow root goes at shutdown.
        }
    }

    private static string Sanitize(string id) => string.Concat(id.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
