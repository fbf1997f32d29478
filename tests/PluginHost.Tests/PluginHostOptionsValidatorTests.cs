namespace Middleware.PluginHost.Tests;

/// <summary>The plugin host's start-time check over a real plugins.json and real folders.</summary>
public sealed class PluginHostOptionsValidatorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mw-pluginhost-validator-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private IReadOnlyList<string> Failures(PluginHostOptions options) =>
        new PluginHostOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    private string PluginsFile(string json)
    {
        var path = Path.Combine(root, "plugins.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void No_plugins_file_and_the_default_budgets_pass()
    {
        Assert.Empty(Failures(new PluginHostOptions { PluginsFile = Path.Combine(root, "none.json") }));
    }

    [Fact]
    public void A_deployed_plugin_and_a_disabled_missing_one_pass()
    {
        Directory.CreateDirectory(Path.Combine(root, "plugins", "a"));
        File.WriteAllText(Path.Combine(root, "plugins", "a", "A.dll"), "");
        var file = PluginsFile("""
            { "plugins": [
              { "id": "a", "folder": "plugins/a", "assembly": "A.dll" },
              { "id": "b", "folder": "plugins/b", "assembly": "B.dll", "enabled": false } ] }
            """);

        Assert.Empty(Failures(new PluginHostOptions { PluginsFile = file }));
    }

    [Fact]
    public void Each_enabled_plugin_without_its_folder_or_assembly_is_named_by_its_key()
    {
        Directory.CreateDirectory(Path.Combine(root, "plugins", "a"));
        var file = PluginsFile("""
            { "plugins": [
              { "id": "a", "folder": "plugins/a", "assembly": "A.dll" },
              { "id": "b", "folder": "plugins/b", "assembly": "B.dll" } ] }
            """);

        var failures = Failures(new PluginHostOptions { PluginsFile = file });

        Assert.Equal(
        [
            $"plugins:0:assembly: 'A.dll' (plugin 'a' in {file}) is not in {Path.Combine(root, "plugins", "a")}.",
            $"plugins:1:folder: '{Path.Combine(root, "plugins", "b")}' (plugin 'b' in {file}) is not a folder; build or deploy the plugin there, or set \"enabled\": false.",
        ], failures);
    }

    [Fact]
    public void A_duplicate_id_or_a_settings_value_that_is_not_an_object_refuses_the_file()
    {
        var twice = PluginsFile("""{ "plugins": [ { "id": "a", "folder": "x", "assembly": "A.dll" }, { "id": "a", "folder": "y", "assembly": "A.dll" } ] }""");
        Assert.Equal($"PluginHost:PluginsFile: '{twice}' is refused: plugins.json lists the plugin id 'a' twice.", Assert.Single(Failures(new PluginHostOptions { PluginsFile = twice })));

        var settings = PluginsFile("""{ "plugins": [ { "id": "a", "folder": "x", "assembly": "A.dll", "settings": 3 } ] }""");
        Assert.Equal($"PluginHost:PluginsFile: '{settings}' is refused: plugins.json: plugins[0].settings must be an object.", Assert.Single(Failures(new PluginHostOptions { PluginsFile = settings })));
    }

    [Fact]
    public void Budgets_are_named_with_their_values()
    {
        var failures = Failures(new PluginHostOptions
        {
            PluginsFile = Path.Combine(root, "none.json"),
            CallTimeout = TimeSpan.Zero,
            MalfunctionRetryMaxDelay = TimeSpan.FromSeconds(1),
            MaxBlockedThreads = 0,
        });

        Assert.Equal(
        [
            "PluginHost:CallTimeout: '00:00:00' must be positive.",
            "PluginHost:MalfunctionRetryMaxDelay: '00:00:01' must be at least PluginHost:MalfunctionRetryDelay (00:00:05).",
            "PluginHost:MaxBlockedThreads: '0' must be at least 1.",
        ], failures);
    }
}
