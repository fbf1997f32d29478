namespace Middleware.Contracts.Plugins;

/// <summary>What a plugin says about itself. Read by the host once, right after the plugin is created.</summary>
/// <param name="Id">Stable identifier, e.g. <c>reader.desfire</c>; the key of the plugin in <c>plugins.json</c>.</param>
/// <param name="Version">The plugin's own version (semantic versioning), shown in plugin status.</param>
/// <param name="ContractVersion">The <see cref="ContractInfo.Version"/> the plugin was compiled against.</param>
/// <param name="DisplayName">A name for operators, in English.</param>
public sealed record PluginMetadata(string Id, string Version, Version ContractVersion, string DisplayName);
