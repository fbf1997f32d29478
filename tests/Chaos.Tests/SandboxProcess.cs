using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Middleware.Chaos.Tests;

/// <summary>
/// The sandbox (Crous VEM + Izly) as a process of its own, so that a kill -9 of the host leaves the other side's records
/// intact; driven through its loopback admin API (<c>/_sandbox</c>: faults, keys, QR codes, records). The sale
/// benchmarks use it too (linked): in a process of its own, the sandbox's allocations are not counted as the host's.
/// </summary>
internal sealed class SandboxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private SandboxProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    public static async Task<SandboxProcess> StartAsync(string root, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Sandbox.dll"), "--port", "0", "--db", Path.Combine(root, "sandbox.db"), "--quiet" })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the sandbox.");
        var url = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StreamWriter(Path.Combine(root, "sandbox.out"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.WriteLine(e.Data);
            }

            if (e.Data.StartsWith("SANDBOX_URL=", StringComparison.Ordinal))
            {
                url.TrySetResult(new Uri(e.Data["SANDBOX_URL=".Length..]));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    log.WriteLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new SandboxProcess(process, await url.Task.WaitAsync(TimeSpan.FromSeconds(60), ct));
        }
        catch
        {
            // It never said where it listens: no orphan sandbox left running.
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async Task<string> AddFaultAsync(object rule, CancellationToken ct)
    {
        using var answer = await _http.PostAsJsonAsync("/_sandbox/faults", rule, ct);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }

    public async Task RemoveFaultAsync(string id, CancellationToken ct)
    {
        using var _ = await _http.DeleteAsync($"/_sandbox/faults/{id}", ct);
    }

    public async Task ClearFaultsAsync(CancellationToken ct)
    {
        using var answer = await _http.DeleteAsync("/_sandbox/faults", ct);
        answer.EnsureSuccessStatusCode();
    }

    public async Task ExpireTokensAsync(CancellationToken ct)
    {
        using var answer = await _http.PostAsync("/_sandbox/tokens/expire", null, ct);
        answer.EnsureSuccessStatusCode();
    }

    public async Task SetRevokedAsync(string appId, bool revoked, CancellationToken ct)
    {
        using var answer = revoked ? await _http.PostAsync($"/_sandbox/keys/{appId}/revoke", null, ct) : await _http.DeleteAsync($"/_sandbox/keys/{appId}/revoke", ct);
        answer.EnsureSuccessStatusCode();
    }

    public async Task SetBalanceAsync(string identifier, long cents, CancellationToken ct)
    {
        using var answer = await _http.PutAsJsonAsync($"/_sandbox/rightholders/{identifier}/balance", new { balance = cents }, ct);
        answer.EnsureSuccessStatusCode();
    }

    public async Task<string> IssueQrAsync(string identifier, CancellationToken ct)
    {
        using var answer = await _http.PostAsJsonAsync("/_sandbox/qrcodes", new { identifier }, ct);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("text").GetString()!;
    }

    public Task<JsonElement> GetSeedAsync(CancellationToken ct) => GetAsync("/_sandbox/seed", ct);

    public Task<JsonElement> GetTicketsAsync(CancellationToken ct) => GetAsync("/_sandbox/tickets", ct);

    public Task<JsonElement> GetTransactionsAsync(CancellationToken ct) => GetAsync("/_sandbox/transactions", ct);

    public Task<JsonElement> GetWebPaymentsAsync(CancellationToken ct) => GetAsync("/_sandbox/webpayments", ct);

    /// <summary>The cases the sandbox's handler faults injected (late IzlyPay confirmations, tickets refused after the debit).</summary>
    public Task<JsonElement> GetInjectedFaultsAsync(CancellationToken ct) => GetAsync("/_sandbox/faults/injected", ct);

    /// <summary>
    /// Izly's reconciliation list of one point of sale (crous-izly-api.md §5.1, GET /api/payments), every page read as
    /// the point of sale itself (Basic appId:cleIzly): what the day close will ask Izly.
    /// </summary>
    public async Task<List<JsonElement>> ListIzlyOperationsAsync(string appId, string cleIzly, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var operations = new List<JsonElement>();
        for (var page = 1; page <= 1000; page++)
        {
            var query = $"/api/payments?from={Uri.EscapeDataString(from.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture))}"
                + $"&to={Uri.EscapeDataString(to.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture))}&page={page}&pageSize=500";
            using var request = new HttpRequestMessage(HttpMethod.Get, query);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{appId}:{cleIzly}")));
            request.Headers.Add("AppIdentifier", appId);
            using var answer = await _http.SendAsync(request, ct);
            answer.EnsureSuccessStatusCode();
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>(ct);
            var items = body.GetProperty("operations").EnumerateArray().ToList();
            operations.AddRange(items);
            if (items.Count < 500)
            {
                return operations;
            }
        }

        throw new InvalidOperationException($"{appId}: more than 1000 pages of Izly operations.");
    }

    /// <summary>A client for the customer's IzlyPay pages (no redirects followed: the pages are read as a browser would post them).</summary>
    public HttpClient NewBrowser() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    private async Task<JsonElement> GetAsync(string path, CancellationToken ct) => await _http.GetFromJsonAsync<JsonElement>(path, ct);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
