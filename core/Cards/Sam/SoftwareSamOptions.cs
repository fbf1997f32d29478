namespace Middleware.Cards.Sam;

/// <summary>Settings of the software SAM (configuration section <see cref="SectionName"/>).</summary>
public sealed class SoftwareSamOptions
{
    /// <summary>The configuration section: <c>Cards:SoftwareSam</c>.</summary>
    public const string SectionName = "Cards:SoftwareSam";

    /// <summary>
    /// Path of the key file (JSON, see <see cref="SamKeyFile"/>). Default: none; the SAM then reports
    /// <c>SamError.Unavailable</c> on use. On Unix the file must not be accessible by group or others (mode 600 or 400).
    /// </summary>
    public string? KeyFile { get; set; }
}
