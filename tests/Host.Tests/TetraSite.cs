namespace Middleware.Host.Tests;

/// <summary>A site's plugins.json with the card channel and a Tetra on the simulator's pseudo-terminal, as a site writes it
/// (enum settings by name).</summary>
internal static class TetraSite
{
    public const string Terminal = "Tetra 1";

    public static async Task<string> WritePluginsFileAsync(string root, string terminalPath)
    {
        var repo = SaleHost.RepositoryRoot();
        var pluginsFile = Path.Combine(root, "site-plugins.json");
        await File.WriteAllTextAsync(pluginsFile, $$"""
            {
              "plugins": [
                { "id": "channel.card", "folder": "{{Path.Combine(repo, "plugins", "CardChannel", "bin")}}", "assembly": "Middleware.Plugins.CardChannel.dll", "enabled": true, "settings": {} },
                { "id": "terminal.tetra", "folder": "{{Path.Combine(repo, "plugins", "Tetra", "bin")}}", "assembly": "Middleware.Plugins.Tetra.dll", "enabled": true,
                  "settings": { "port": "{{terminalPath}}", "terminalName": "{{Terminal}}", "tillNumber": 14, "parity": "None", "stopBits": "One", "stepTimeoutMs": 2000 } }
              ]
            }
            """);
        return pluginsFile;
    }
}
