using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// The standalone sandbox (Middleware.Sandbox.dll) in a child process on a free loopback port, driven through its
/// <c>/_sandbox</c> admin API: in a process of its own, its allocations are not counted as the host's.
/// </summary>
internal sealed class ChildSandbox : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _admin;

    private ChildSandbox(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        _admin = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    public static async Task<ChildSandbox> StartAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Sandbox.dll"), "--port", "0", "--db", databasePath, "--quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the sandbox.");
        var url = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("SANDBOX_URL=", StringComparison.Ordinal))
            {
                url.TrySetResult(new Uri(line["SANDBOX_URL=".Length..]));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("sandbox: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ChildSandbox(process, await url.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async Task SetBalanceAsync(string identifier, long cents, CancellationToken cancellationToken = default)
    {
        using var response = await _admin.PutAsJsonAsync($"/_sandbox/rightholders/{identifier}/balance", new { balance = cents }, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A fresh QR code of the customer: the text a till's scanner reads.</summary>
    public async Task<string> IssueQrCodeAsync(string identifier, CancellationToken cancellationToken = default)
    {
        using var response = await _admin.PostAsJsonAsync("/_sandbox/qrcodes", new { identifier }, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        return body.RootElement.GetProperty("text").GetString() ?? throw new InvalidDataException("The sandbox issued no QR code text.");
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
