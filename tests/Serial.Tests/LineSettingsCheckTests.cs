using Middleware.Contracts.Readers;
using Middleware.Serial.Tests.Support;
using Xunit;

namespace Middleware.Serial.Tests;

public sealed class LineSettingsCheckTests
{
    [Theory]
    [InlineData(8, SerialParity.None, SerialStopBits.One)]
    [InlineData(7, SerialParity.Even, SerialStopBits.One)]
    [InlineData(7, SerialParity.Odd, SerialStopBits.Two)]
    public void Supported_settings_pass(int dataBits, SerialParity parity, SerialStopBits stopBits) =>
        LineSettingsCheck.Validate(new SerialLinkSettings { DataBits = dataBits, Parity = parity, StopBits = stopBits });

    public static TheoryData<SerialLinkSettings, string> Refused => new()
    {
        { new SerialLinkSettings { DataBits = 6 }, "DataBits" },
        { new SerialLinkSettings { DataBits = 9 }, "DataBits" },
        { new SerialLinkSettings { Parity = (SerialParity)3 }, "Parity" },
        { new SerialLinkSettings { StopBits = (SerialStopBits)2 }, "StopBits" },
        { new SerialLinkSettings { BaudRate = 12345 }, "BaudRate" },
        { new SerialLinkSettings { BaudRate = 0 }, "BaudRate" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Unsupported_settings_are_refused_naming_the_setting(SerialLinkSettings settings, string name)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => TestLinks.Provider().OpenAsync("/dev/null", settings, TestLinks.Token()));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tcp://host")]
    [InlineData("tcp://host:0")]
    [InlineData("tcp://host:70000")]
    [InlineData("tcp://host:23/path")]
    [InlineData("tcp://user@host:23")]
    [InlineData("/dev/tty\0S0")]
    public async Task Malformed_paths_are_refused(string path) =>
        await Assert.ThrowsAsync<ArgumentException>(() => TestLinks.Provider().OpenAsync(path, new SerialLinkSettings(), TestLinks.Token()));
}
