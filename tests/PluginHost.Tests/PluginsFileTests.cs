using System.Text.Json;

namespace Middleware.PluginHost.Tests;

public sealed class PluginsFileTests
{
    private static readonly string Base = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "base"));

    [Fact]
    public void Parses_entries_with_defaults_comments_and_trailing_commas()
    {
        var entries = PluginsFile.Parse("""
            {
              // the readers
              "plugins": [
                { "id": "reader.desfire", "folder": "plugins/Desfire", "assembly": "Middleware.Plugins.Desfire.dll",
                  "settings": { "readers": ["ACS ACR122U"], "timeoutMs": 500 }, },
                { "id": "x", "folder": "/opt/x", "assembly": "X.dll", "enabled": false },
              ]
            }
            """, Base);

        Assert.Equal(2, entries.Count);
        Assert.Equal("reader.desfire", entries[0].Id);
        Assert.Equal(Path.Combine(Base, "plugins", "Desfire"), entries[0].Folder);
        Assert.True(entries[0].Enabled);
        Assert.Equal(500, entries[0].Settings.GetProperty("timeoutMs").GetInt32());
        Assert.False(entries[1].Enabled);
        Assert.Equal("/opt/x", entries[1].Folder);
        Assert.Equal(JsonValueKind.Object, entries[1].Settings.ValueKind);
        Assert.Empty(entries[1].Settings.EnumerateObject());
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "\"plugins\" array")]
    [InlineData("""{ "plugins": [ { "folder": "a", "assembly": "A.dll" } ] }""", "plugins[0].id is required")]
    [InlineData("""{ "plugins": [ { "id": "a", "assembly": "A.dll" } ] }""", "plugins[0].folder is required")]
    [InlineData("""{ "plugins": [ { "id": "a", "folder": "a" } ] }""", "plugins[0].assembly is required")]
    [InlineData("""{ "plugins": [ { "id": "a", "folder": "a", "assembly": "sub/A.dll" } ] }""", "must be a file name")]
    [InlineData("""{ "plugins": [ { "id": "a", "folder": "a", "assembly": "A.dll", "enabled": "yes" } ] }""", "enabled must be true or false")]
    [InlineData("""{ "plugins": [ { "id": "a", "folder": "a", "assembly": "A.dll", "settings": [] } ] }""", "settings must be an object")]
    [InlineData("""{ "plugins": [ { "id": "a", "folder": "a", "assembly": "A.dll" }, { "id": "a", "folder": "b", "assembly": "B.dll" } ] }""", "twice")]
    [InlineData("""{ "plugins": [ 3 ] }""", "not an object")]
    public void Rejects_invalid_files_with_a_readable_reason(string json, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => PluginsFile.Parse(json, Base));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void The_repository_plugins_json_lists_the_desfire_reader_enabled()
    {
        var repoRoot = new DirectoryInfo(AppContext.BaseDirectory);
        while (repoRoot is not null && !File.Exists(Path.Combine(repoRoot.FullName, "Middleware.sln")))
        {
            repoRoot = repoRoot.Parent;
        }

        Assert.NotNull(repoRoot);
        var entries = PluginsFile.Read(Path.Combine(repoRoot.FullName, "plugins.json"));
        // The reader plugins of other technologies (reader.calypso...) may be listed too: check the shipped ones, in order.
        Assert.Equal(["reader.desfire", "channel.card", "channel.qr", "channel.izlypay"], entries.Select(e => e.Id).Where(id => (!id.StartsWith("reader.", StringComparison.Ordinal) || id == "reader.desfire") && !id.StartsWith("terminal.", StringComparison.Ordinal)));
        Assert.Contains(entries, e => e.Id == "reader.calypso" && e.Enabled);
        // The Tetra's port is site configuration: listed, off (issue 15).
        Assert.Contains(entries, e => e.Id == "terminal.tetra" && !e.Enabled);
        var entry = entries[0];
        // A build deploys each plugin into its bin/ folder (plugins/Directory.Build.targets).
        Assert.Equal(Path.Combine(repoRoot.FullName, "plugins", "Desfire", "bin"), entry.Folder);
        Assert.Equal("Middleware.Plugins.Desfire.dll", entry.Assembly);
        Assert.True(entry.Enabled);
    }

    [Fact]
    public void Entries_compare_by_value_including_settings()
    {
        var a = PluginsFile.Parse("""{ "plugins": [ { "id": "a", "folder": "a", "assembly": "A.dll", "settings": { "p": 1 } } ] }""", Base)[0];
        var same = PluginsFile.Parse("""{ "plugins": [ { "id": "a", "folder": "a", "assembly": "A.dll", "settings": { "p": 1 } } ] }""", Base)[0];
        var other = PluginsFile.Parse("""{ "plugins": [ { "id": "a", "folder": "a", "assembly": "A.dll", "settings": { "p": 2 } } ] }""", Base)[0];
        Assert.True(a.SameAs(same));
        Assert.False(a.SameAs(other));
    }
}
