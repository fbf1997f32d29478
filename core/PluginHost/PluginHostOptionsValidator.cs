using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.PluginHost;

/// <summary>
/// Checks the <c>PluginHost</c> section and plugins.json at start. The budgets must be positive and ordered (a zero call
/// budget fails every call; a retry ceiling below its first delay never grows). plugins.json, when there is one, must
/// parse (ids unique, fields present, settings an object: <see cref="PluginsFile"/>) and each enabled plugin's folder and
/// main assembly must exist: otherwise the host started and served tills without that plugin, saying so only in its
/// log. A plugin's own settings are bound by the plugin at load (the host does not know its type); a missing file stays
/// allowed (no plugins). Paths inside plugins.json are named as its configuration keys (<c>plugins:3:folder</c>).
/// </summary>
internal sealed class PluginHostOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<PluginHostOptions>
{
    private const string Section = PluginHostOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, PluginHostOptions options)
    {
        var failures = new List<string>();
        Positive(failures, nameof(options.CallTimeout), options.CallTimeout);
        Positive(failures, nameof(options.CancelGrace), options.CancelGrace);
        Positive(failures, nameof(options.MalfunctionRetryDelay), options.MalfunctionRetryDelay);
        Positive(failures, nameof(options.StartTimeout), options.StartTimeout);
        Positive(failures, nameof(options.StopTimeout), options.StopTimeout);
        Positive(failures, nameof(options.DrainTimeout), options.DrainTimeout);
        Positive(failures, nameof(options.ReloadWaitTimeout), options.ReloadWaitTimeout);
        Positive(failures, nameof(options.UnloadTimeout), options.UnloadTimeout);
        Positive(failures, nameof(options.Debounce), options.Debounce);
        if (options.MalfunctionRetryMaxDelay < options.MalfunctionRetryDelay)
        {
            failures.Add($"{Section}:MalfunctionRetryMaxDelay: '{options.MalfunctionRetryMaxDelay}' must be at least {Section}:MalfunctionRetryDelay ({options.MalfunctionRetryDelay}).");
        }

        if (options.MaxBlockedThreads < 1)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:MaxBlockedThreads: '{options.MaxBlockedThreads}' must be at least 1."));
        }

        CheckPluginsFile(failures, options.PluginsFile);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void CheckPluginsFile(List<string> failures, string configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            failures.Add($"{Section}:PluginsFile: '{Printable(configured)}' is empty; name plugins.json.");
            return;
        }

        // Resolved as the catalog resolves it.
        var path = Path.GetFullPath(Path.Combine(environment?.ContentRootPath ?? Environment.CurrentDirectory, configured));
        if (!File.Exists(path))
        {
            return;
        }

        IReadOnlyList<PluginEntry> entries;
        try
        {
            entries = PluginsFile.Read(path);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            failures.Add($"{Section}:PluginsFile: '{path}' is refused: {ex.Message}");
            return;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (!entry.Enabled)
            {
                continue;
            }

            var key = string.Create(CultureInfo.InvariantCulture, $"plugins:{i}");
            if (!Directory.Exists(entry.Folder))
            {
                failures.Add($"{key}:folder: '{entry.Folder}' (plugin '{Printable(entry.Id)}' in {path}) is not a folder; build or deploy the plugin there, or set \"enabled\": false.");
            }
            else if (!File.Exists(Path.Combine(entry.Folder, entry.Assembly)))
            {
                failures.Add($"{key}:assembly: '{Printable(entry.Assembly)}' (plugin '{Printable(entry.Id)}' in {path}) is not in {entry.Folder}.");
            }
        }
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{setting}: '{value}' must be positive.");
        }
    }
}
