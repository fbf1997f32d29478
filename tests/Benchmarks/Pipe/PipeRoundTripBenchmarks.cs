using System.Text;
using BenchmarkDotNet.Attributes;

namespace Middleware.Benchmarks.Pipe;

/// <summary>
/// One client: a no-op <c>ping</c> round trip through the middleware's pipe server next to a raw echo of the same
/// bytes over the same kind of pipe. Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter *PipeRoundTrip*</c>.
/// For p50/p99 and calls/s with 1 and 8 clients use the load generator: <c>-- pipe-load</c>.
/// </summary>
[MemoryDiagnoser]
public class PipeRoundTripBenchmarks
{
    private static readonly ReadOnlyMemory<byte> Ping = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
    private PipeBenchServer? server;
    private RawEchoServer? echo;
    private LineClient? middlewareClient;
    private LineClient? echoClient;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        server = await PipeBenchServer.StartAsync();
        echo = RawEchoServer.Start();
        middlewareClient = await LineClient.ConnectAsync(server.PipeName);
        await middlewareClient.RoundTripAsync(Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"hello\",\"params\":{{\"pointOfSale\":\"{PipeBenchServer.PointOfSale}\"}}}}\n"));
        echoClient = await LineClient.ConnectAsync(echo.PipeName);
    }

    [Benchmark(Baseline = true)]
    public ValueTask<int> RawEcho() => echoClient!.RoundTripAsync(Ping);

    [Benchmark]
    public ValueTask<int> MiddlewarePing() => middlewareClient!.RoundTripAsync(Ping);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await middlewareClient!.DisposeAsync();
        await echoClient!.DisposeAsync();
        await server!.DisposeAsync();
        await echo!.DisposeAsync();
    }
}
