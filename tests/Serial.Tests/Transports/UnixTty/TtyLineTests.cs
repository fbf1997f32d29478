using System.Runtime.CompilerServices;
using Middleware.Contracts.Readers;
using Middleware.Serial.Transports.UnixTty;
using Xunit;

namespace Middleware.Serial.Tests.Transports.UnixTty;

/// <summary>The termios values the tty transport sets.</summary>
public sealed class TtyLineTests
{
    [Fact]
    public void The_kernel_termios_is_36_bytes()
    {
        Assert.Equal(Termios.Size, Unsafe.SizeOf<Termios>());
    }

    [Fact]
    public void Every_rate_the_links_accept_has_a_termios_speed()
    {
        var speeds = LineSettingsCheck.StandardRates.Select(LibC.SpeedConstant).ToList();
        Assert.Equal(speeds.Count, speeds.Distinct().Count());
        Assert.All(speeds, speed => Assert.Equal(speed, speed & LibC.CBaud));
        Assert.Equal(13u, LibC.SpeedConstant(9600));
        Assert.Equal(0x1002u, LibC.SpeedConstant(115200));
    }

    [Fact]
    public void Seven_even_one_and_seven_odd_two_map_to_the_control_flags()
    {
        var evenOne = TtyLine.ControlFlags(new SerialLinkSettings { BaudRate = 19200, DataBits = 7, Parity = SerialParity.Even });
        Assert.Equal(14u | LibC.CS7 | LibC.ParEnb | LibC.CRead | LibC.CLocal, evenOne);

        var oddTwo = TtyLine.ControlFlags(new SerialLinkSettings { BaudRate = 9600, DataBits = 7, Parity = SerialParity.Odd, StopBits = SerialStopBits.Two });
        Assert.Equal(13u | LibC.CS7 | LibC.ParEnb | LibC.ParOdd | LibC.CStopB | LibC.CRead | LibC.CLocal, oddTwo);

        var plain = TtyLine.ControlFlags(new SerialLinkSettings());
        Assert.Equal(13u | LibC.CS8 | LibC.CRead | LibC.CLocal, plain);
        Assert.Equal(0u, plain & LibC.CRtsCts);
    }
}
