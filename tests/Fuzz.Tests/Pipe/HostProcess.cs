using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>
/// The real host executable (Middleware.Host.dll of this test's output) as a child process, with its embedded
/// sandbox, every store in a temp folder and its own pipe: the pipe fuzzer's server. A child process so that its
/// memory (VmRSS, VmHWM) is the server's alone, and a crash is seen as an exit.
/// </summary>
internal sealed class HostProcess : IDisposable
{
    private readonly StringBuilder tail = new();
    private int errorLines;

    private HostProcess(Process process, string pipeName, string root)
    {
        Process = process;
        PipeName = pipeName;
        Root = root;
    }

    public Process Process { get; }

    public string PipeName { get; }

    public string Root { get; }

    /// <summary>Keep the host's folder (its logs) after the test, for a failure's investigation.</summary>
    public bool KeepRoot { get; set; }

    /// <summary>The host's Unix socket: an absolute pipe name is the socket's path (PROTOCOL.md §1), here in the
    /// test's own folder.</summary>
    public string SocketPath => PipeName;

    /// <summary>Lines the host logged at error level or above.</summary>
    public int ErrorLines => Volatile.Read(ref errorLines);

    /// <summary>The last lines the host wrote (for failure messages).</summary>
    public string Tail
    {
        get
        {
            lock (tail)
            {
                return tail.ToString();
            }
        }
    }

    public static HostProcess Start()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-fuzz", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var pipeName = Path.Combine(root, "till.sock");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Host.dll"),
            $"--Pipe:PipeName={pipeName}", "--Host:Mode=console",
            $"--PluginsFile={Path.Combine(RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
            "--CardReaders:Enabled=false", // the virtual readers belong to the PC/SC tests (PcscTestLock)
            $"--Sandbox:Port={port}", $"--Sandbox:DatabasePath={Path.Combine(root, "sandbox.db")}",
            $"--CrousApis:Vem:BaseUrl={url}", $"--CrousApis:Izly:BaseUrl={url}",
            $"--CrousApis:Reference:DatabasePath={Path.Combine(root, "reference.db")}",
            $"--Tickets:DatabasePath={Path.Combine(root, "tickets.db")}",
            $"--Payments:DatabasePath={Path.Combine(root, "payments.db")}",
            $"--Pipe:IdempotencyDatabasePath={Path.Combine(root, "idempotency.db")}",
            $"--Serilog:WriteTo:1:Args:path={Path.Combine(root, "logs", "middleware-.log")}",
            // Every refused call is logged at Information: at 20,000 calls that is the host's main work. Warnings and
            // errors (an unexpected exception in a method) still show.
            "--Serilog:MinimumLevel:Default=Warning",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The embedded sandbox is refused in Production (the default environment): tests run the host as Development.
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var host = new HostProcess(process, pipeName, root);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until the host answers <c>hello</c> on its pipe (it compiles scripts first), or fails.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with {Process.ExitCode} while starting:\n{Tail}");
            }

            try
            {
                await using var till = await TillConnection.OpenAsync(SocketPath);
                await till.SendAsync([Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":\"ready\",\"method\":\"hello\",\"params\":{{\"pointOfSale\":\"{JsonValues.PointOfSale}\"}}}}")]);
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var answer = await till.Answers.ReadAsync(cancel.Token);
                if (answer.HasResult)
                {
                    return;
                }

                throw new InvalidOperationException($"hello was refused: {answer.Text}");
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException or System.Threading.Channels.ChannelClosedException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>A field of <c>/proc/&lt;pid&gt;/status</c> in KiB (<c>VmRSS</c>, <c>VmHWM</c>), or null once the process is gone.</summary>
    public long? StatusKiB(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Process.Id}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    public void Dispose()
    {
        // This test's own child, by its handle.
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(30_000);
        }

        Process.Dispose();
        if (KeepRoot)
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains(" ERR]", StringComparison.Ordinal) || line.Contains(" FTL]", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref errorLines);
        }

        lock (tail)
        {
            tail.AppendLine(line.Length > 400 ? line[..400] + "…" : line);
            if (tail.Length > 20_000)
            {
                tail.Remove(0, tail.Length - 16_000);
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        return repo?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }
}
