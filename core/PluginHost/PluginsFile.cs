using System.Text.Json;
using Middleware.Contracts.Plugins;

namespace Middleware.PluginHost;

/// <summary>One plugin listed in plugins.json.</summary>
/// <param name="Id">The plugin id (must equal the plugin's <see cref="PluginMetadata.Id"/>).</param>
/// <param name="Folder">The plugin folder, absolute (resolved against the folder of plugins.json).</param>
/// <param name="Assembly">The file name of the plugin's main assembly inside <paramref name="Folder"/>.</param>
/// <param name="Enabled">False: listed but not loaded (status Disabled).</param>
/// <param name="Settings">The plugin's own settings object (never secrets).</param>
public sealed record PluginEntry(string Id, string Folder, string Assembly, bool Enabled, JsonElement Settings)
{
    /// <summary>True when both entries load the same thing the same way (settings compared as JSON text).</summary>
    public bool SameAs(PluginEntry other) =>
        Id == other.Id
        && string.Equals(Folder, other.Folder, StringComparison.Ordinal)
        && string.Equals(Assembly, other.Assembly, StringComparison.Ordinal)
        && Enabled == other.Enabled
        && string.Equals(Settings.GetRawText(), other.Settings.GetRawText(), StringComparison.Ordinal);
}

/// <summary>Reads plugins.json:
/// <code>
/// { "plugins": [ { "id": "reader.desfire", "folder": "plugins/Desfire", "assembly": "Middleware.Plugins.Desfire.dll",
///                  "enabled": true, "settings": { } } ] }
/// </code>
/// Comments and trailing commas are allowed; <c>enabled</c> defaults to true and <c>settings</c> to <c>{}</c>.</summary>
public static class PluginsFile
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses the text of a plugins.json located in <paramref name="baseDirectory"/>.
    /// Throws <see cref="FormatException"/> with a readable reason when the file is not valid.</summary>
    public static IReadOnlyList<PluginEntry> Parse(string json, string baseDirectory)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"plugins.json is not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !TryGet(doc.RootElement, "plugins", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("plugins.json must be an object with a \"plugins\" array.");
            }

            var entries = new List<PluginEntry>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var entry = ParseEntry(item, index, baseDirectory);
                if (!ids.Add(entry.Id))
                {
                    throw new FormatException($"plugins.json lists the plugin id '{entry.Id}' twice.");
                }

                entries.Add(entry);
                index++;
            }

            return entries;
        }
    }

    /// <summary>Reads and parses <paramref name="path"/>.</summary>
    public static IReadOnlyList<PluginEntry> Read(string path) =>
        Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");

    private static PluginEntry ParseEntry(JsonElement item, int index, string baseDirectory)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"plugins.json: plugins[{index}] is not an object.");
        }

        var id = RequiredString(item, "id", index);
        var folder = RequiredString(item, "folder", index);
        var assembly = RequiredString(item, "assembly", index);
        if (assembly.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new FormatException($"plugins.json: plugins[{index}].assembly must be a file name, not a path.");
        }

        var enabled = true;
        if (TryGet(item, "enabled", out var e))
        {
            enabled = e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FormatException($"plugins.json: plugins[{index}].enabled must be true or false."),
            };
        }

        JsonElement settings;
        if (TryGet(item, "settings", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"plugins.json: plugins[{index}].settings must be an object.");
            }

            settings = s.Clone();
        }
        else
        {
            settings = EmptySettings;
        }

        var fullFolder = Path.GetFullPath(Path.Combine(baseDirectory, folder));
        return new PluginEntry(id, fullFolder, assembly, enabled, settings);
    }

    internal static JsonElement EmptySettings { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    private static string RequiredString(JsonElement item, string name, int index)
    {
        if (!TryGet(item, name, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
        {
            throw new FormatException($"plugins.json: plugins[{index}].{name} is required (a non-empty string).");
        }

        return v.GetString()!.Trim();
    }

    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
