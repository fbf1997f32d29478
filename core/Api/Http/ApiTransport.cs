using System.Net;
using Polly;
using Polly.Retry;
using RestSharp;

namespace Middleware.Api.Http;

/// <summary>Backoff for calls that are safe to repeat. Exponential with jitter (Polly).</summary>
public sealed class RetryOptions
{
    /// <summary>Retries after the first attempt, for calls safe to repeat. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; it doubles on each retry, with jitter. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one backoff delay. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Whether a call may be sent again after a failure whose outcome is unknown.</summary>
internal enum CallSafety
{
    /// <summary>GETs and idempotent writes: retried with backoff on timeouts, network errors and 5xx.</summary>
    SafeToRepeat,

    /// <summary>Sent once: a repeat could act twice (a debit, a kitchen order).</summary>
    SendOnce,
}

/// <summary>How an HTTP exchange ended when no status code came back.</summary>
internal enum TransportFailure
{
    None,
    TimedOut,
    Network,
}

/// <summary>One HTTP exchange's outcome: a status code and body, or a transport failure.</summary>
internal sealed record ApiResponse(int StatusCode, string? Content, string? AuthorizationHeader, TransportFailure Failure, string? FailureDetail)
{
    public bool IsTransportFailure => Failure != TransportFailure.None;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>Worth retrying when the call is safe to repeat: no answer, 408, 429 or 5xx.</summary>
    public bool IsTransient => IsTransportFailure || StatusCode is 408 or 429 || StatusCode >= 500;

    public static ApiResponse TimedOut(TimeSpan after) => new(0, null, null, TransportFailure.TimedOut, $"no answer within {after.TotalMilliseconds:0} ms");

    public static ApiResponse NetworkError(string? detail) => new(0, null, null, TransportFailure.Network, detail ?? "network error");

    /// <summary>For messages and logs: never the body (it may hold personal data).</summary>
    public string Describe() => Failure switch
    {
        TransportFailure.TimedOut => "timed out (" + FailureDetail + ")",
        TransportFailure.Network => "network error (" + FailureDetail + ")",
        _ => "HTTP " + StatusCode,
    };
}

/// <summary>
/// RestSharp plus the project's discipline: a timeout on every attempt (TimeProvider-driven), the caller's
/// cancellation, and exponential backoff with jitter only for calls marked <see cref="CallSafety.SafeToRepeat"/>.
/// </summary>
internal sealed class ApiTransport : IDisposable
{
    private readonly RestClient client;
    private readonly TimeProvider time;
    private readonly ResiliencePipeline<ApiResponse> retryPipeline;

    public ApiTransport(Uri baseUrl, TimeSpan timeout, RetryOptions retry, TimeProvider time, HttpMessageHandler? handler = null)
    {
        Timeout = timeout;
        this.time = time;
        var options = new RestClientOptions(baseUrl)
        {
            ThrowOnAnyError = false,
            FollowRedirects = false,
            // The per-attempt timeout below owns time; RestSharp's own would use the wall clock.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            UserAgent = "Izly-Crous-POS-middleware",
        };
        if (handler is not null)
        {
            options.ConfigureMessageHandler = _ => handler;
        }

        client = new RestClient(options);
        retryPipeline = retry.MaxRetries <= 0
            ? ResiliencePipeline<ApiResponse>.Empty
            : new ResiliencePipelineBuilder<ApiResponse> { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions<ApiResponse>
                {
                    MaxRetryAttempts = retry.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = retry.BaseDelay,
                    MaxDelay = retry.MaxDelay,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { IsTransient: true }),
                })
                .Build();
    }

    public TimeSpan Timeout { get; }

    /// <summary>Sends the request built by <paramref name="build"/> (rebuilt per attempt), retrying only when
    /// <paramref name="safety"/> allows. Never throws for HTTP or network failures; throws only on cancellation.</summary>
    public async Task<ApiResponse> SendAsync(Func<RestRequest> build, CallSafety safety, CancellationToken cancellationToken)
    {
        if (safety == CallSafety.SendOnce)
        {
            return await SendOnceAsync(build(), cancellationToken).ConfigureAwait(false);
        }

        return await retryPipeline.ExecuteAsync(
            async ct => await SendOnceAsync(build(), ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<ApiResponse> SendOnceAsync(RestRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var timeoutCts = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            var response = await client.ExecuteAsync(request, linked.Token).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (timeoutCts.IsCancellationRequested)
            {
                return ApiResponse.TimedOut(Timeout);
            }

            if (response.ResponseStatus == ResponseStatus.Completed || (int)response.StatusCode > 0)
            {
                var authorization = response.Headers?
                    .FirstOrDefault(h => string.Equals(h.Name, "Authorization", StringComparison.OrdinalIgnoreCase))?.Value;
                return new ApiResponse((int)response.StatusCode, response.Content, authorization, TransportFailure.None, null);
            }

            return response.ResponseStatus == ResponseStatus.TimedOut
                ? ApiResponse.TimedOut(Timeout)
                : ApiResponse.NetworkError(response.ErrorException?.GetBaseException().Message ?? response.ErrorMessage);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ApiResponse.TimedOut(Timeout);
        }
        catch (HttpRequestException ex)
        {
            return ApiResponse.NetworkError(ex.GetBaseException().Message);
        }
    }

    public void Dispose() => client.Dispose();
}

/// <summary>Status codes with names, for the adapters.</summary>
internal static class Status
{
    public const int Ok = (int)HttpStatusCode.OK;
    public const int Created = (int)HttpStatusCode.Created;
    public const int NoContent = (int)HttpStatusCode.NoContent;
    public const int BadRequest = (int)HttpStatusCode.BadRequest;
    public const int Unauthorized = (int)HttpStatusCode.Unauthorized;
    public const int Forbidden = (int)HttpStatusCode.Forbidden;
    public const int NotFound = (int)HttpStatusCode.NotFound;
    public const int Conflict = (int)HttpStatusCode.Conflict;
    public const int UnprocessableEntity = (int)HttpStatusCode.UnprocessableEntity;
    public const int Locked = (int)HttpStatusCode.Locked;
}
