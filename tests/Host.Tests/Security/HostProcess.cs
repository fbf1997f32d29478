using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Middleware.Client;

namespace Middleware.Host.Tests.Security;

/// <summary>
/// The real host from the build output (Middleware.Host.dll beside the tests), as its own process, started through
/// <c>sh -c 'umask …; exec dotnet …'</c> so the test chooses the umask, and optionally as another account
/// (<c>setpriv</c>, root only).
/// </summary>
internal sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private HostProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything the host printed so far (console log and any crash).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>Starts the host with <paramref name="arguments"/> under <paramref name="umask"/> (octal text), as
    /// <paramref name="user"/> when given.</summary>
    public static HostProcess Start(IEnumerable<string> arguments, string umask = "022", string? user = null, string? home = null)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (user is not null)
        {
            info.FileName = "setpriv";
            foreach (var a in new[] { $"--reuid={user}", $"--regid={user}", "--init-groups", "--" })
            {
                info.ArgumentList.Add(a);
            }

            info.ArgumentList.Add("/bin/sh");
        }
        else
        {
            info.FileName = "/bin/sh";
        }

        foreach (var a in new[] { "-c", $"umask {umask}; exec \"$@\"", "sh", DotnetPath(), Path.Combine(AppContext.BaseDirectory, "Middleware.Host.dll") })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        // A fresh environment for the child: no MIDDLEWARE_* or runtime folders of the test run leak into it.
        info.Environment.Remove("XDG_RUNTIME_DIR");
        info.Environment.Remove("RUNTIME_DIRECTORY");
        info.Environment["DOTNET_NOLOGO"] = "1";
        // The embedded sandbox is refused in Production (the default environment): tests run the host as Development.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        if (home is not null)
        {
            info.Environment["HOME"] = home;
        }

        return new HostProcess(Process.Start(info) ?? throw new InvalidOperationException("The host process did not start."));
    }

    /// <summary>Polls until a till can say hello on <paramref name="socketPath"/> (the host is up), or fails with the
    /// host's output.</summary>
    public async Task WaitUntilServingAsync(string socketPath, string pointOfSale, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {process.ExitCode}:\n{Output}");
            }

            if (File.Exists(socketPath))
            {
                try
                {
                    await using var client = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions { PipeName = socketPath, PointOfSale = pointOfSale, ConnectTimeout = TimeSpan.FromSeconds(5) });
                    return;
                }
                catch (Exception ex) when (ex is MiddlewareConnectionException or MiddlewareRpcException or TimeoutException)
                {
                    last = ex;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The host did not serve {socketPath} within {limit} ({last?.Message}):\n{Output}");
    }

    /// <summary>Polls the host's output for <paramref name="text"/> (for hosts a root client may not talk to).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {process.ExitCode}:\n{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The host did not print '{text}' within {limit}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the host to exit by itself (a refused start) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    /// <summary>SIGTERM (the host's graceful stop), then a kill when it lingers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            _ = kill(process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    internal static string DotnetPath() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);
}
