using Middleware.Tests.Serial;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Contracts.Readers;
using Middleware.Serial.Tests.Support;
using Middleware.Serial.Transports;
using Middleware.Serial.Transports.UnixTty;
using Xunit;
using Xunit.Abstractions;

namespace Middleware.Serial.Tests.Transports.UnixTty;

/// <summary>The Linux tty transport (the default on Linux) on real socat pty pairs.</summary>
public sealed class UnixTtyTransportTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CancelLatencyBound = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Auto_picks_the_tty_transport_on_Linux_and_SystemIoPorts_keeps_System_IO_Ports()
    {
        var settings = new SerialLinkSettings();
        var auto = LinkTransports.Create("/dev/ttyACM0", settings, TestLinks.Options(), TimeProvider.System, NullLogger.Instance);
        if (LibC.IsSupported)
        {
            Assert.IsType<UnixTtyTransport>(auto);
        }
        else
        {
            Assert.IsType<SerialPortTransport>(auto);
        }

        var options = TestLinks.Options();
        options.Transport = SerialLinkTransport.SystemIoPorts;
        Assert.IsType<SerialPortTransport>(LinkTransports.Create("/dev/ttyACM0", settings, options, TimeProvider.System, NullLogger.Instance));
        Assert.IsType<TcpTransport>(LinkTransports.Create("tcp://127.0.0.1:7000", settings, TestLinks.Options(), TimeProvider.System, NullLogger.Instance));
    }

    [SocatFact]
    public async Task A_cancelled_read_returns_within_100_ms_and_the_link_stays_usable()
    {
        using var pair = SocatPtyPair.Start();
        await using var link = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        var sim = pair.OpenSim();
        var worst = TimeSpan.Zero;
        for (var i = 0; i < 5; i++)
        {
            using var cancel = new CancellationTokenSource();
            var read = link.ReadAsync(new byte[16], cancel.Token).AsTask();
            Assert.False(read.IsCompleted);
            await Task.Delay(TimeSpan.FromMilliseconds(150)); // the read waits in the tty's poll loop meanwhile
            Assert.False(read.IsCompleted);
            var firedAt = Stopwatch.GetTimestamp();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TestLinks.Deadline));
            var latency = Stopwatch.GetElapsedTime(firedAt);
            worst = latency > worst ? latency : worst;
        }

        output.WriteLine($"worst of 5 cancelled reads: returned {worst.TotalMilliseconds:F2} ms after the token fired");
        Assert.True(worst < CancelLatencyBound, $"a cancelled read returned {worst} after its token fired");

        await sim.WriteAsync(new byte[] { 0x42, 0x00 }, TestLinks.Token());
        Assert.Equal([0x42, 0x00], await TestLinks.ReadExactlyAsync(link, 2));
    }

    [SocatFact]
    public async Task Reads_and_writes_after_the_other_end_closed_fail_with_IOException()
    {
        using var pair = SocatPtyPair.Start();
        using var connection = await Transport(pair.TetraPath, new SerialLinkSettings()).OpenAsync(TestLinks.Token());
        var stream = connection.Stream;
        var inFlight = stream.ReadAsync(new byte[16], CancellationToken.None).AsTask();
        Assert.False(inFlight.IsCompleted);

        pair.Unplug(); // socat gone: the pty's other end is closed

        await Assert.ThrowsAsync<IOException>(() => inFlight.WaitAsync(TestLinks.Deadline));
        await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(new byte[16], TestLinks.Token()).AsTask().WaitAsync(TestLinks.Deadline));
        await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync(new byte[] { 1, 2, 3 }, TestLinks.Token()).AsTask().WaitAsync(TestLinks.Deadline));
    }

    [SocatFact]
    public async Task Seven_even_one_on_a_pty_opens_8N1_on_the_wire_and_logs_it()
    {
        using var pair = SocatPtyPair.Start();
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var provider = new SerialLinkProvider(TestLinks.Options(), TimeProvider.System, loggers);
        var settings = new SerialLinkSettings { BaudRate = 19200, DataBits = 7, Parity = SerialParity.Even };
        await using var link = await provider.OpenAsync(pair.TetraPath, settings, TestLinks.Token());

        Assert.Contains(logs.Lines, line => line.Level == LogLevel.Information
            && line.Message.Contains("pseudo-terminal", StringComparison.Ordinal) && line.Message.Contains("19200 7E1", StringComparison.Ordinal));
        var wire = pair.TetraLineSettings();
        Assert.Contains("cs8", wire);
        Assert.Contains("-parenb", wire);
        Assert.Contains("19200", wire);

        var sim = pair.OpenSim();
        var sevenBit = "\u000200/1234\u0003"u8.ToArray();
        await link.WriteAsync(sevenBit, TestLinks.Token());
        Assert.Equal(sevenBit, await TestLinks.ReadExactlyAsync(sim, sevenBit.Length));
        await sim.WriteAsync(sevenBit, TestLinks.Token());
        Assert.Equal(sevenBit, await TestLinks.ReadExactlyAsync(link, sevenBit.Length));
    }

    [SocatFact]
    public async Task The_line_is_raw_at_the_rate_and_stop_bits_asked_as_tcgetattr_reads_it_back()
    {
        using var pair = SocatPtyPair.Start();
        var two = new SerialLinkSettings { BaudRate = 115200, StopBits = SerialStopBits.Two };
        using (var connection = await Transport(pair.TetraPath, two).OpenAsync(TestLinks.Token()))
        {
            var line = GlibcTermios.Read(((TtyStream)connection.Stream).Device);
            AssertRaw(line);
            Assert.Equal(LibC.CStopB, line.ControlFlags & LibC.CStopB);
            Assert.Contains(line.OutputSpeed, new uint[] { 0x1002, 115200 }); // B115200, or the rate with glibc 2.42+
        }

        using (var connection = await Transport(pair.TetraPath, new SerialLinkSettings()).OpenAsync(TestLinks.Token()))
        {
            var line = GlibcTermios.Read(((TtyStream)connection.Stream).Device);
            AssertRaw(line);
            Assert.Equal(0u, line.ControlFlags & LibC.CStopB);
            Assert.Contains(line.OutputSpeed, new uint[] { 13, 9600 }); // B9600
        }
    }

    [SocatFact]
    public async Task Dispose_wakes_a_read_waiting_without_a_token_and_closes_the_descriptor_once()
    {
        using var pair = SocatPtyPair.Start();
        var device = pair.TetraDevice();
        var connection = await Transport(pair.TetraPath, new SerialLinkSettings()).OpenAsync(TestLinks.Token());
        var waiting = connection.Stream.ReadAsync(new byte[16], CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        connection.Dispose();
        connection.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TestLinks.Deadline));
        Assert.Equal(0, OpenDescriptorsOf(device)); // Dispose returned after the poll thread let go: closed already
        Assert.Throws<ObjectDisposedException>(() => connection.Stream.WriteByte(1));
    }

    [SocatFact]
    public async Task A_write_the_other_end_does_not_take_fails_after_the_write_timeout()
    {
        using var pair = SocatPtyPair.Start();
        var options = TestLinks.Options();
        options.WriteTimeout = TimeSpan.FromMilliseconds(300);
        await using var link = await TestLinks.Provider(options).OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        _ = pair.OpenSim(); // open and never read: the pty buffers fill, then socat's, then ours

        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IOException>(() => link.WriteAsync(new byte[1024 * 1024], TestLinks.Token()).AsTask().WaitAsync(TestLinks.Deadline));
        elapsed.Stop();
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(2), $"the write failed after {elapsed.Elapsed}");
        output.WriteLine($"1 MiB write nobody reads failed after {elapsed.Elapsed.TotalMilliseconds:F0} ms (write timeout 300 ms)");
    }

    [Fact]
    public async Task Opening_something_that_is_no_terminal_fails_with_IOException_and_leaks_no_descriptor()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = await Assert.ThrowsAsync<IOException>(() => Transport(file, new SerialLinkSettings()).OpenAsync(TestLinks.Token()));
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
            Assert.Equal(0, OpenDescriptorsOf(file));
            await Assert.ThrowsAsync<IOException>(() => Transport("/dev/null", new SerialLinkSettings()).OpenAsync(TestLinks.Token()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void AssertRaw(GlibcTermios line)
    {
        Assert.Equal(0u, line.LocalFlags & (LibC.ICanon | LibC.Echo | LibC.ISig | LibC.IExten));
        Assert.Equal(0u, line.OutputFlags & LibC.OPost);
        Assert.Equal(0u, line.InputFlags);
        Assert.Equal(LibC.CS8, line.ControlFlags & LibC.CSize);
        Assert.Equal(0u, line.ControlFlags & (LibC.ParEnb | LibC.CRtsCts));
        Assert.Equal(LibC.CRead | LibC.CLocal, line.ControlFlags & (LibC.CRead | LibC.CLocal));
        Assert.Equal(1, line.VMin);
        Assert.Equal(0, line.VTime);
    }

    private static UnixTtyTransport Transport(string path, SerialLinkSettings settings) =>
        new(path, settings, TimeSpan.FromSeconds(5), TimeProvider.System, NullLogger.Instance);

    private static int OpenDescriptorsOf(string target) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd =>
        {
            try
            {
                return fd.LinkTarget == target;
            }
            catch (IOException)
            {
                return false; // closed between listing and reading
            }
        });
}
