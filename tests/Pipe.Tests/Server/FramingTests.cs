using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Tests.Server;

/// <summary>Framing is linear in the bytes received: a line sent a byte at a time is examined once, not once per read
/// (a 256 KiB line in 1-byte writes cost 4 s of host CPU when the whole buffer was searched again on each read).
/// What is asserted is the bytes examined; the CPU is printed only (each 1-byte read still costs a read call, about what
/// the sender's write costs it: tests/security/attack-rerun.sh measures it on the built host).</summary>
public sealed class FramingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_256_KiB_line_in_one_byte_writes_is_scanned_once_like_one_write()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        var text = new string('a', 256 * 1024);
        var line = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"test.echo\",\"params\":{\"text\":\"" + text + "\"}}\n");

        // One write.
        var (oneWriteScanned, oneWriteCpu) = await SendAsync(harness, line, chunk: line.Length);
        // The same line, one byte per write.
        var (byteWritesScanned, byteWritesCpu) = await SendAsync(harness, line, chunk: 1);

        output.WriteLine($"line {line.Length} B; one write: scanned {oneWriteScanned} B, host CPU {oneWriteCpu.TotalMilliseconds:0} ms; 1-byte writes: scanned {byteWritesScanned} B, CPU (client writes included) {byteWritesCpu.TotalMilliseconds:0} ms");
        Assert.Equal(oneWriteScanned, byteWritesScanned);
        Assert.True(byteWritesScanned <= line.Length + 200, $"scanned {byteWritesScanned} bytes for a {line.Length}-byte line");
    }

    /// <summary>Says hello, sends <paramref name="line"/> in writes of <paramref name="chunk"/> bytes, reads the echo;
    /// the bytes the server examined for newlines and the process CPU time spent.</summary>
    private static async Task<(long Scanned, TimeSpan Cpu)> SendAsync(PipeServerHarness harness, byte[] line, int chunk)
    {
        await using var raw = await harness.ConnectRawAsync();
        await raw.CallAsync("""{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""");
        // The hello's slot is given back just after its answer is written: wait for it rather than race it.
        var clock = Stopwatch.StartNew();
        static bool Fresh(PipeConnection c) => c.Till is not null && c.InFlight.Count == 0 && c.ScannedBytes > 0 && c.ScannedBytes < 200;
        while (!harness.Server.Connections.Any(Fresh) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        var connection = Assert.Single(harness.Server.Connections, Fresh);
        var before = connection.ScannedBytes;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var offset = 0; offset < line.Length; offset += chunk)
        {
            await raw.Stream.WriteAsync(line.AsMemory(offset, Math.Min(chunk, line.Length - offset)));
        }

        var answer = await raw.ReadJsonAsync();
        var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Assert.EndsWith("aaa", answer.GetProperty("result").GetString());
        return (connection.ScannedBytes - before, spent);
    }
}
