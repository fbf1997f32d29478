using Middleware.Tests.Serial;
using System.Diagnostics;
using System.IO.Ports;
using Middleware.Contracts.Readers;
using Middleware.Serial.Tests.Support;
using Middleware.Serial.Transports;
using Xunit;

namespace Middleware.Serial.Tests.Transports;

/// <summary>A device path opened through the provider on a real socat pty pair (the tty transport by default on Linux,
/// System.IO.Ports with Transport = SystemIoPorts), and System.IO.Ports' own settings.</summary>
public sealed class SerialPortTransportTests
{
    [SocatFact]
    public async Task Bytes_cross_both_ways_intact()
    {
        using var pair = SocatPtyPair.Start();
        await using var link = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        var sim = pair.OpenSim();
        var toTerminal = TestLinks.Binary(4096);
        var toHost = toTerminal.Reverse().ToArray();

        await link.WriteAsync(toTerminal, TestLinks.Token());
        Assert.Equal(toTerminal, await TestLinks.ReadExactlyAsync(sim, toTerminal.Length));

        await sim.WriteAsync(toHost, TestLinks.Token());
        Assert.Equal(toHost, await TestLinks.ReadExactlyAsync(link, toHost.Length));
    }

    [SocatFact]
    public async Task With_Transport_SystemIoPorts_bytes_cross_both_ways_and_a_pty_opens_8_bit()
    {
        using var pair = SocatPtyPair.Start();
        var options = TestLinks.Options();
        options.Transport = SerialLinkTransport.SystemIoPorts;
        var settings = new SerialLinkSettings { BaudRate = 19200, DataBits = 7, Parity = SerialParity.Even };
        await using var link = await TestLinks.Provider(options).OpenAsync(pair.TetraPath, settings, TestLinks.Token());
        var line = pair.TetraLineSettings();
        Assert.Contains("19200", line);
        Assert.Contains("cs8", line);

        var sim = pair.OpenSim();
        var toTerminal = TestLinks.Binary(1024);
        await link.WriteAsync(toTerminal, TestLinks.Token());
        Assert.Equal(toTerminal, await TestLinks.ReadExactlyAsync(sim, toTerminal.Length));
        await sim.WriteAsync(toTerminal, TestLinks.Token());
        Assert.Equal(toTerminal, await TestLinks.ReadExactlyAsync(link, toTerminal.Length));
    }

    [Fact]
    public void Seven_even_one_is_asked_of_a_device_as_given_with_DTR_and_RTS_up()
    {
        var settings = new SerialLinkSettings { BaudRate = 19200, DataBits = 7, Parity = SerialParity.Even };
        using var port = SerialPortTransport.CreatePort("/dev/ttyS9", settings, handshakeLines: true);
        Assert.Equal(19200, port.BaudRate);
        Assert.Equal(7, port.DataBits);
        Assert.Equal(Parity.Even, port.Parity);
        Assert.Equal(StopBits.One, port.StopBits);
        Assert.Equal(Handshake.None, port.Handshake);
        Assert.True(port.DtrEnable);
        Assert.True(port.RtsEnable);

        using var odd = SerialPortTransport.CreatePort("/dev/ttyS9", settings with { Parity = SerialParity.Odd, StopBits = SerialStopBits.Two }, handshakeLines: false);
        Assert.Equal(Parity.Odd, odd.Parity);
        Assert.Equal(StopBits.Two, odd.StopBits);
        Assert.False(odd.DtrEnable);
    }

    [SocatFact]
    public async Task Seven_even_one_opens_a_pty_which_keeps_the_rate_and_stays_8_bit()
    {
        using var pair = SocatPtyPair.Start();
        Assert.True(SerialPortTransport.IsPseudoTerminal(pair.TetraPath));
        var settings = new SerialLinkSettings { BaudRate = 19200, DataBits = 7, Parity = SerialParity.Even };
        await using var link = await TestLinks.Provider().OpenAsync(pair.TetraPath, settings, TestLinks.Token());

        // The kernel's pty driver forces cs8 -parenb whatever is asked (SerialPortTransport's remarks); the rate is kept.
        var line = pair.TetraLineSettings();
        Assert.Contains("19200", line);
        Assert.Contains("cs8", line);
        Assert.Contains("-parenb", line);
        Assert.Contains("-cstopb", line);

        var sim = pair.OpenSim();
        var sevenBit = "\u000200/1234\u0003"u8.ToArray();
        await link.WriteAsync(sevenBit, TestLinks.Token());
        Assert.Equal(sevenBit, await TestLinks.ReadExactlyAsync(sim, sevenBit.Length));
    }

    [SocatFact]
    public async Task Eight_none_one_and_two_stop_bits_are_set_on_the_line()
    {
        using var pair = SocatPtyPair.Start();
        var provider = TestLinks.Provider();
        await using (var link = await provider.OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token()))
        {
            var line = pair.TetraLineSettings();
            Assert.Contains("cs8", line);
            Assert.Contains("-parenb", line);
            Assert.Contains("-cstopb", line);
            Assert.Contains("9600", line);
        }

        var two = new SerialLinkSettings { BaudRate = 115200, StopBits = SerialStopBits.Two };
        await using (var link = await provider.OpenAsync(pair.TetraPath, two, TestLinks.Token()))
        {
            var line = pair.TetraLineSettings();
            Assert.Contains("cs8", line);
            Assert.Contains("cstopb", line);
            Assert.Contains("115200", line);
        }
    }

    [SocatFact]
    public async Task Opening_a_missing_path_fails_with_IOException()
    {
        using var pair = SocatPtyPair.Start();
        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<IOException>(() =>
            TestLinks.Provider().OpenAsync(Path.Combine(pair.Directory, "unplugged"), new SerialLinkSettings(), TestLinks.Token()));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), $"took {elapsed.Elapsed}");
        Assert.Contains("unplugged", error.Message, StringComparison.Ordinal);
    }

    [SocatFact]
    public async Task Dispose_closes_the_device()
    {
        using var pair = SocatPtyPair.Start();
        var device = pair.TetraDevice();
        var link = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        Assert.True(OpenDescriptorsOf(device) >= 1, $"no descriptor of {device} while open");

        await link.DisposeAsync();

        Assert.Equal(0, OpenDescriptorsOf(device));
        Assert.Throws<ObjectDisposedException>(() => link.WriteByte(1));

        // The same path opens again at once.
        await using var again = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        Assert.Equal(1, OpenDescriptorsOf(device));
    }

    private static int OpenDescriptorsOf(string device) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd =>
        {
            try
            {
                return fd.LinkTarget == device;
            }
            catch (IOException)
            {
                return false; // closed between listing and reading
            }
        });
}
