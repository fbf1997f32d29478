using Middleware.Tests.Serial;
using Middleware.Serial.Tests.Support;
using Middleware.Serial.Transports.UnixTty;
using Xunit;

namespace Middleware.Serial.Tests.Transports.UnixTty;

/// <summary>The device calls of the tty transport: what they tolerate and how failures come out.</summary>
public sealed class TtyDeviceTests
{
    [SocatFact]
    public void A_pty_has_no_modem_lines_and_raising_them_is_no_error()
    {
        using var pair = SocatPtyPair.Start();
        using var tty = TtyDevice.Open(pair.TetraPath);
        Assert.False(TtyDevice.RaiseModemLines(tty, pair.TetraPath)); // ENOTTY, tolerated
    }

    [SocatFact]
    public void Opening_a_missing_path_is_an_IOException_naming_it()
    {
        using var pair = SocatPtyPair.Start();
        var missing = Path.Combine(pair.Directory, "gone");
        var error = Assert.Throws<IOException>(() => TtyDevice.Open(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(13)] // EACCES
    [InlineData(1)] // EPERM
    public void Access_denied_is_an_UnauthorizedAccessException(int errno)
    {
        var error = TtyDevice.Failure("/dev/ttyACM0", "open", errno);
        Assert.IsType<UnauthorizedAccessException>(error);
        Assert.Contains("/dev/ttyACM0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)] // ENOENT
    [InlineData(16)] // EBUSY
    [InlineData(6)] // ENXIO
    public void Other_failures_are_IOExceptions(int errno)
    {
        Assert.IsType<IOException>(TtyDevice.Failure("/dev/ttyACM0", "open", errno));
    }
}
