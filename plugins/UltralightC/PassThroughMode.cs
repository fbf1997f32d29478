namespace Middleware.Plugins.UltralightC;

/// <summary>How a reader carries native Ultralight C frames (cards.md §5: readers differ).</summary>
internal enum PassThroughMode
{
    /// <summary>PC/SC 2.02 Part 3 transparent session (<c>FF C2</c>).</summary>
    PcscTransparent,
}

/// <summary>The setting names of <see cref="PassThroughMode"/>.</summary>
internal static class PassThroughModes
{
    public const string PcscTransparentName = "pcsc-transparent";

    public static PassThroughMode Parse(string? value, string setting) => value switch
    {
        PcscTransparentName => PassThroughMode.PcscTransparent,
        _ => throw new ArgumentException($"Setting {setting} must be '{PcscTransparentName}', not '{value}'."),
    };
}
