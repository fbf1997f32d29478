namespace Middleware.Contracts;

/// <summary>
/// The version of this contract assembly. A plugin records the version it was built for in
/// <see cref="Plugins.PluginMetadata.ContractVersion"/>; the host refuses a plugin whose major version differs
/// or whose minor version is newer than the host's (status <c>NotSupported</c>).
/// </summary>
public static class ContractInfo
{
    /// <summary>Incremented on a breaking change of any public type of this assembly.</summary>
    public const int Major = 1;

    /// <summary>Incremented when members are added without breaking existing plugins.</summary>
    public const int Minor = 0;

    /// <summary>The contract version as a <see cref="System.Version"/>.</summary>
    public static Version Version { get; } = new(Major, Minor);

    /// <summary>True when a plugin built for <paramref name="builtFor"/> can run on this contract.</summary>
    public static bool IsCompatible(Version builtFor)
    {
        ArgumentNullException.ThrowIfNull(builtFor);
        return builtFor.Major == Major && builtFor.Minor <= Minor;
    }
}
