using System.IO.Pipes;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Middleware.Client;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Server;
using Middleware.PluginHost;

namespace Middleware.Pipe.Tests;

/// <summary>A real pipe server on a unique pipe name, with fakes for the plugin host.</summary>
internal sealed class PipeServerHarness : IAsyncDisposable
{
    public const string PosA = "1-1-1-1-1";
    public const string PosB = "2-2-2-2-2";

    private readonly ServiceProvider provider;

    private PipeServerHarness(ServiceProvider provider, string pipeName, string databasePath)
    {
        this.provider = provider;
        PipeName = pipeName;
        DatabasePath = databasePath;
        Server = provider.GetRequiredService<PipeServer>();
    }

    public string PipeName { get; }

    public string DatabasePath { get; }

    public PipeServer Server { get; }

    public TestTarget Target => provider.GetServices<IRpcTarget>().OfType<TestTarget>().Single();

    public FakeCardEventSource CardEvents => provider.GetRequiredService<FakeCardEventSource>();

    public static string NewPipeName() => "mwt-" + Guid.NewGuid().ToString("N")[..12];

    public static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), "mw-pipe-tests", Guid.NewGuid().ToString("N") + ".db");

    public static async Task<PipeServerHarness> StartAsync(
        Action<Dictionary<string, string?>>? configure = null,
        string? pipeName = null,
        string? databasePath = null,
        TimeProvider? timeProvider = null,
        TestTarget? target = null,
        LogCapture? logs = null)
    {
        pipeName ??= NewPipeName();
        databasePath ??= NewDatabasePath();
        var settings = new Dictionary<string, string?>
        {
            ["Pipe:PipeName"] = pipeName,
            ["Pipe:IdempotencyDatabasePath"] = databasePath,
            ["PointsOfSale:0:Id"] = PosA,
            ["PointsOfSale:0:Label"] = "Demo A",
            ["PointsOfSale:0:Readers:0"] = "Reader A",
            ["PointsOfSale:0:Readers:1"] = "Reader A2",
            ["PointsOfSale:1:Id"] = PosB,
            ["PointsOfSale:1:Label"] = "Demo B",
            ["PointsOfSale:1:Readers:0"] = "Reader B",
        };
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Warning);
            if (Environment.GetEnvironmentVariable("MW_TEST_LOG") == "1")
            {
                b.AddConsole().SetMinimumLevel(LogLevel.Debug);
            }

            if (logs is not null)
            {
                b.AddProvider(logs).SetMinimumLevel(LogLevel.Information);
            }
        });
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddSingleton<IRpcTarget>(target ?? new TestTarget());
        services.AddSingleton<FakeCardEventSource>();
        services.AddSingleton<ICardEventSource>(sp => sp.GetRequiredService<FakeCardEventSource>());
        services.AddSingleton<FakePluginCatalog>();
        services.AddSingleton<IPluginCatalog>(sp => sp.GetRequiredService<FakePluginCatalog>());
        services.AddSingleton<ICardReaders>(sp => sp.GetRequiredService<FakePluginCatalog>());
        services.AddPipeServer(configuration);
        var provider = services.BuildServiceProvider();
        var harness = new PipeServerHarness(provider, pipeName, databasePath);
        await harness.Server.StartAsync(CancellationToken.None);
        return harness;
    }

    public Task<MiddlewareClient> ConnectAsync(string? pointOfSale = PosA, Action<MiddlewareClientOptions>? configure = null)
    {
        var options = new MiddlewareClientOptions { PipeName = PipeName, PointOfSale = pointOfSale, TillName = "test till", ConnectTimeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        return MiddlewareClient.ConnectAsync(options);
    }

    public Task<RawPipeClient> ConnectRawAsync() => RawPipeClient.ConnectAsync(PipeName);

    public async Task StopAsync() => await Server.StopAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(CancellationToken.None);
        await provider.DisposeAsync();
    }
}

/// <summary>Writes and reads raw protocol lines, to send what a well-behaved client never would.</summary>
internal sealed class RawPipeClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);
    private readonly NamedPipeClientStream stream;
    private readonly StreamReader reader;

    private RawPipeClient(NamedPipeClientStream stream)
    {
        this.stream = stream;
        reader = new StreamReader(stream, new UTF8Encoding(false));
    }

    public Stream Stream => stream;

    public static async Task<RawPipeClient> ConnectAsync(string pipeName)
    {
        // The server's own default socket path (a private runtime folder, not .NET's /tmp/CoreFxPipe_ default).
        var address = OperatingSystem.IsWindows() ? pipeName : Middleware.Pipe.Server.PipeAddress.UnixSocketPath(pipeName);
        var stream = new NamedPipeClientStream(".", address, PipeDirection.InOut, PipeOptions.Asynchronous);
        await stream.ConnectAsync(20_000);
        return new RawPipeClient(stream);
    }

    public async Task SendAsync(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    /// <summary>Sends raw bytes as one line (a newline is added): for input that is not valid UTF-8.</summary>
    public async Task SendBytesAsync(byte[] line)
    {
        await stream.WriteAsync(line);
        await stream.WriteAsync("\n"u8.ToArray());
        await stream.FlushAsync();
    }

    /// <summary>The next line, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        return await reader.ReadLineAsync(cts.Token);
    }

    public async Task<JsonElement> ReadJsonAsync()
    {
        var line = await ReadLineAsync() ?? throw new EndOfStreamException("The server closed the connection.");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    public async Task<JsonElement> CallAsync(string json)
    {
        await SendAsync(json);
        return await ReadJsonAsync();
    }

    public async ValueTask DisposeAsync()
    {
        reader.Dispose();
        await stream.DisposeAsync();
    }
}

internal sealed record CountResult(int Calls, string Label, int Amount);

/// <summary>Methods that let the tests see how often and with what the server ran them.</summary>
internal sealed class TestTarget : IRpcTarget
{
    private int countCalls;
    private int refuseCalls;
    private int slowCalls;

    public int CountCalls => Volatile.Read(ref countCalls);

    public int RefuseCalls => Volatile.Read(ref refuseCalls);

    public int SlowCalls => Volatile.Read(ref slowCalls);

    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseSlow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [RpcMethod("test.count", Mutating = true)]
    public async Task<CountResult> Count(string requestId, string label, int amount)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        // Yield so concurrent repeats really overlap.
        await Task.Yield();
        return new CountResult(Interlocked.Increment(ref countCalls), label, amount);
    }

    /// <summary>A mutating method whose answer is kept at process-crash durability (like the edits of an open sale).</summary>
    [RpcMethod("test.note", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public CountResult Note(string requestId, string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        return new CountResult(Interlocked.Increment(ref countCalls), label, 0);
    }

    [RpcMethod("test.refuse", Mutating = true)]
    public int Refuse(string requestId, int amount)
    {
        Interlocked.Increment(ref refuseCalls);
        throw new MiddlewareException(ErrorCode.InsufficientBalance, $"Balance too low for {amount} ({requestId}).", new { balance = 1.5m });
    }

    [RpcMethod("test.slow", Mutating = true)]
    public async Task<int> Slow(string requestId)
    {
        Interlocked.Increment(ref slowCalls);
        SlowStarted.TrySetResult();
        await ReleaseSlow.Task;
        return 42;
    }

    [RpcMethod("test.whoami")]
    public string WhoAmI() => TillContext.Required.PointOfSale + "|" + TillContext.Required.TillName;

    /// <summary>Echoes its argument with the calling till's name, after a yield so the parameter is read while other
    /// connections' messages are being parsed.</summary>
    [RpcMethod("test.echo")]
    public async Task<string> Echo(string text)
    {
        var till = TillContext.Required.TillName;
        await Task.Yield();
        return till + "|" + text;
    }

    [RpcMethod("test.add")]
    public int Add(int a, int b) => a + b;

    [RpcMethod("test.crash")]
    public void Crash() => throw new InvalidOperationException("card 1234567890123 leaked");
}

internal sealed class FakePluginCatalog : IPluginCatalog, ICardReaders
{
    public static readonly DateTimeOffset Since = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<PluginStatusInfo> GetStatuses() =>
    [
        new("reader.desfire", "1.2.0", PluginState.Active, null, "plugins/reader.desfire", Since),
        new("reader.calypso", null, PluginState.Malfunctioned, "Threw while loading: boom", "plugins/reader.calypso", Since),
    ];

    public Task<IReadOnlyList<ReaderDescriptor>> GetReadersAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ReaderDescriptor>>(
    [
        new("Reader A", "pcsc", [CardTechnology.Desfire, CardTechnology.Classic1K], ReaderState.CardPresent),
        new("Reader B", "pcsc", [CardTechnology.Desfire], ReaderState.Empty),
        new("Reader C", "pcsc", [CardTechnology.Desfire], ReaderState.Empty),
    ]);

    public Task<CardIdentity> ReadCardAsync(string readerName, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<TerminalPaymentResult> RefundAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin => throw new NotSupportedException();

    public Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, TimeSpan timeout, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin => throw new NotSupportedException();

    public IReadOnlyList<string> ActivePlugins<TPlugin>() where TPlugin : class, IPlugin => [];
}

internal sealed class FakeCardEventSource : ICardEventSource
{
    private readonly List<IReaderEventSink> sinks = [];

    public int Subscribers
    {
        get
        {
            lock (sinks)
            {
                return sinks.Count;
            }
        }
    }

    public IDisposable Subscribe(IReaderEventSink observer)
    {
        lock (sinks)
        {
            sinks.Add(observer);
        }

        return new Unsubscriber(() =>
        {
            lock (sinks)
            {
                sinks.Remove(observer);
            }
        });
    }

    public void Raise(Action<IReaderEventSink> action)
    {
        IReaderEventSink[] copy;
        lock (sinks)
        {
            copy = [.. sinks];
        }

        foreach (var sink in copy)
        {
            action(sink);
        }
    }

    private sealed class Unsubscriber(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
