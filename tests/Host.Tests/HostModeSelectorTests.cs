namespace Middleware.Host.Tests;

public sealed class HostModeSelectorTests
{
    [Theory]
    [InlineData(null, false, false, false, "Console", false)]
    [InlineData("auto", false, false, true, "Systemd", false)]
    [InlineData("auto", true, true, false, "WindowsService", false)]
    [InlineData("", true, false, false, "Console", false)]
    [InlineData("console", false, false, true, "Console", false)]
    [InlineData("Systemd", false, false, false, "Systemd", false)]
    [InlineData("systemd", true, false, false, "Console", true)]
    [InlineData("windows-service", true, false, false, "WindowsService", false)]
    [InlineData("windows-service", false, false, true, "Console", true)]
    [InlineData("daemon", false, false, false, "Console", true)]
    public void Selects_the_mode(string? configured, bool isWindows, bool windowsService, bool systemd, string expected, bool warns)
    {
        var (mode, warning) = HostModeSelector.Select(configured, isWindows, windowsService, systemd);

        Assert.Equal(expected, mode.ToString());
        Assert.Equal(warns, warning is not null);
    }
}
