namespace Middleware.Contracts;

/// <summary>
/// The version of this contract assembly. A plugin records the version it was built for in
/// <see cref="Plugins.PluginMetadata.ContractVersion"/>; the host refuses a plugin whose major version differs
/// or whose minor version is newer than the host's (status <c>NotSupported</c>), and checks the same of the contract
/// assembly the plugin was compiled against (its reference to <c>Middleware.Contracts</c>, whose assembly version is
/// <c>Major.Minor.0.0</c>).
/// </summary>
/// <remarks>2.0: readers are split into PC/SC card plugins (<see cref="Readers.IPcscCardPlugin"/>: the host watches the
/// readers and hands each card to the plugin that claims it) and terminal plugins (<see cref="Readers.ITerminalPlugin"/>);
/// 1.0's <c>IReaderPlugin</c> is gone. 2.1: terminal refunds (<see cref="Readers.ITerminalPlugin.RefundAsync"/>) and
/// <see cref="Readers.TerminalException.RequestNotSent"/>.</remarks>
public static class ContractInfo
{
    /// <summary>Incremented on a breaking change of any public type of this assembly.</summary>
    public const int Major = 2;

    /// <summary>Incremented when members are added without breaking existing plugins.</summary>
    public const int Minor = 1;

    /// <summary>The contract version as a <see cref="System.Version"/>.</summary>
    public static Version Version { get; } = new(Major, Minor);

    /// <summary>True when a plugin built for <paramref name="builtFor"/> can run on this contract.</summary>
    public static bool IsCompatible(Version builtFor)
    {
        ArgumentNullException.ThrowIfNull(builtFor);
        return builtFor.Major == Major && builtFor.Minor <= Minor;
    }
}
