using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Middleware.Host.Tests.Telemetry;

/// <summary>A real Prometheus server scraping one target every second with a bearer key from a file, its storage in a
/// temp folder, on a free loopback port; killed (this test's own process) on dispose.</summary>
internal sealed class PrometheusProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private PrometheusProcess(Process process, Uri api)
    {
        _process = process;
        _http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static PrometheusProcess Start(string folder, Uri target, string credentialsFile)
    {
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var config = Path.Combine(folder, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: izly-middleware
                scrape_interval: 1s
                scrape_timeout: 1s
                metrics_path: /metrics
                scheme: http
                authorization:
                  type: Bearer
                  credentials_file: {credentialsFile}
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var start = new ProcessStartInfo(PrometheusFactAttribute.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start.");
        var prometheus = new PrometheusProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => prometheus.Append(e.Data);
        process.ErrorDataReceived += (_, e) => prometheus.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return prometheus;
    }

    /// <summary>The value of an instant query's single result, or null when it has none (yet).</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        try
        {
            using var json = JsonDocument.Parse(await _http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql)));
            var results = json.RootElement.GetProperty("data").GetProperty("result");
            return results.GetArrayLength() == 0 ? null : double.Parse(results[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException) when (!_process.HasExited)
        {
            return null; // still starting
        }
    }

    /// <summary>The scrape target's health as Prometheus sees it (up, down with its error), for failure messages.</summary>
    public async Task<string> TargetsAsync()
    {
        try
        {
            return await _http.GetStringAsync("api/v1/targets");
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _http.Dispose();
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
