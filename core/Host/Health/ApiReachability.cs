using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Middleware.Host.Health;

/// <summary>
/// Whether an API's base URL answers: one GET without credentials (no secret leaves the host for a health check), any
/// HTTP status counting as an answer (a 401 or 404 proves the server is there). Bounded by
/// <see cref="HealthOptions.ApiTimeout"/>; only the headers are read.
/// </summary>
internal sealed class ApiReachability(IOptions<HealthOptions> options) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxResponseHeadersLength = 64, // KiB
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<HealthCheckResult> CheckAsync(string name, Uri baseUrl, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ApiTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var data = new Dictionary<string, object> { ["url"] = baseUrl.GetLeftPart(UriPartial.Authority), ["status"] = (int)response.StatusCode, ["ms"] = Math.Round(elapsed.TotalMilliseconds, 1) };
            return elapsed > settings.ApiSlowAnswer
                ? HealthCheckResult.Degraded($"{name} answered slowly ({elapsed.TotalMilliseconds:0} ms, above {settings.ApiSlowAnswer.TotalMilliseconds:0} ms).", data: data)
                : HealthCheckResult.Healthy($"{name} answered in {elapsed.TotalMilliseconds:0} ms.", data);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{name} gave no answer within {settings.ApiTimeout.TotalSeconds:0.#} s ({baseUrl.GetLeftPart(UriPartial.Authority)}).");
        }
        catch (HttpRequestException ex)
        {
            // The message names the address and the socket error, never a credential (none was sent).
            return HealthCheckResult.Unhealthy($"{name} is unreachable ({baseUrl.GetLeftPart(UriPartial.Authority)}): {ex.HttpRequestError}.");
        }
    }

    public void Dispose() => _http.Dispose();
}
