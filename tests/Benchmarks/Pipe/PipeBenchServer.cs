using System.IO.Pipes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Pipe;
using Middleware.Pipe.Server;

namespace Middleware.Benchmarks.Pipe;

/// <summary>The real pipe server (in this process) with one point of sale, as the host runs it.</summary>
internal sealed class PipeBenchServer : IAsyncDisposable
{
    public const string PointOfSale = "1-1-1-1-1";

    private readonly ServiceProvider provider;
    private readonly PipeServer server;

    private PipeBenchServer(ServiceProvider provider, string pipeName)
    {
        this.provider = provider;
        server = provider.GetRequiredService<PipeServer>();
        // The socket's path (Unix), so the raw line client reaches it as the middleware's own client does.
        PipeName = OperatingSystem.IsWindows() ? pipeName : server.Address;
    }

    public string PipeName { get; }

    public static async Task<PipeBenchServer> StartAsync()
    {
        var pipeName = "mwbench-" + Guid.NewGuid().ToString("N")[..8];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipe:PipeName"] = pipeName,
            ["Pipe:IdempotencyDatabasePath"] = Path.Combine(Path.GetTempPath(), pipeName + ".db"),
            ["PointsOfSale:0:Id"] = PointOfSale,
            ["PointsOfSale:0:Label"] = "Bench",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipeServer(configuration);
        var provider = services.BuildServiceProvider();
        var bench = new PipeBenchServer(provider, pipeName);
        await bench.server.StartAsync(CancellationToken.None);
        return bench;
    }

    public async ValueTask DisposeAsync()
    {
        await server.StopAsync(CancellationToken.None);
        await provider.DisposeAsync();
    }
}

/// <summary>The baseline: a server on the same kind of pipe that echoes each line back, nothing else.</summary>
internal sealed class RawEchoServer : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> tasks = [];

    private RawEchoServer(string pipeName) => PipeName = pipeName;

    public string PipeName { get; }

    public static RawEchoServer Start()
    {
        var echo = new RawEchoServer("mwecho-" + Guid.NewGuid().ToString("N")[..8]);
        for (var i = 0; i < 4; i++)
        {
            echo.tasks.Add(Task.Run(echo.AcceptLoopAsync));
        }

        return echo;
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var server = new NamedPipeServerStream(PipeName, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances, PipeTransmissionMode.Byte, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
            try
            {
                await server.WaitForConnectionAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                await server.DisposeAsync();
                return;
            }

            _ = Task.Run(() => EchoAsync(server));
        }
    }

    private async Task EchoAsync(NamedPipeServerStream server)
    {
        await using var _ = server;
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await server.ReadAsync(buffer.AsMemory(filled), stop.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                int newline;
                while ((newline = Array.IndexOf(buffer, (byte)'\n', 0, filled)) >= 0)
                {
                    await server.WriteAsync(buffer.AsMemory(0, newline + 1), stop.Token);
                    Buffer.BlockCopy(buffer, newline + 1, buffer, 0, filled - newline - 1);
                    filled -= newline + 1;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
    }
}

/// <summary>A minimal line client: sends one request line, waits for one answer line. The same code drives the
/// middleware and the raw echo, so the difference is the server's cost.</summary>
internal sealed class LineClient : IAsyncDisposable
{
    private readonly NamedPipeClientStream stream;
    private readonly byte[] buffer = new byte[64 * 1024];
    private int filled;

    private LineClient(NamedPipeClientStream stream) => this.stream = stream;

    public static async Task<LineClient> ConnectAsync(string pipeName)
    {
        var stream = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.Asynchronous);
        await stream.ConnectAsync(10_000);
        return new LineClient(stream);
    }

    /// <summary>Sends <paramref name="line"/> (with its newline) and returns the answer line's length.</summary>
    public async ValueTask<int> RoundTripAsync(ReadOnlyMemory<byte> line)
    {
        await stream.WriteAsync(line);
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', 0, filled);
            if (newline >= 0)
            {
                Buffer.BlockCopy(buffer, newline + 1, buffer, 0, filled - newline - 1);
                filled -= newline + 1;
                return newline;
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled));
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            filled += read;
        }
    }

    public async ValueTask DisposeAsync() => await stream.DisposeAsync();
}
