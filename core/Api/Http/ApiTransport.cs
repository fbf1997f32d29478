using Polly;
using Polly.Retry;

namespace Middleware.Api.Http;

/// <summary>
/// HttpClient's handler plus the project's discipline: a timeout on every attempt (TimeProvider-driven) that covers
/// the answer's body too, the caller's cancellation, a bounded answer size, and exponential backoff with jitter only for
/// calls marked <see cref="CallSafety.SafeToRepeat"/>. Nothing is set up per call but the request message itself.
/// </summary>
internal sealed class ApiTransport
{
    private const string UserAgent = "Izly-Crous-POS-middleware";

    private readonly ApiConnection connection;
    private readonly string baseUrl;
    private readonly TimeProvider time;
    private readonly int maxResponseBytes;
    private readonly ResiliencePipeline<ApiResponse> retryPipeline;

    /// <summary>A transport over <paramref name="connection"/>, the base address's pooled handler (shared, owned by the
    /// client); <paramref name="timeout"/> bounds each attempt, body included; answers over
    /// <paramref name="maxResponseBytes"/> are not read.</summary>
    public ApiTransport(ApiConnection connection, Uri baseUrl, TimeSpan timeout, RetryOptions retry, int maxResponseBytes, TimeProvider time)
    {
        this.connection = connection;
        // As RestSharp merged base and resource: the base URL's path kept, the resource's leading '/' dropped.
        this.baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl.AbsoluteUri : baseUrl.AbsoluteUri + "/";
        this.time = time;
        this.maxResponseBytes = maxResponseBytes;
        Timeout = timeout;
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
                    ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { IsTransient: true }),
                })
                .Build();
    }

    public TimeSpan Timeout { get; }

    /// <summary>Sends <paramref name="request"/> (a fresh message per attempt), retrying only when <paramref name="safety"/>
    /// allows. Never throws for HTTP or network failures; throws only on the caller's cancellation.</summary>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CallSafety safety, CancellationToken cancellationToken)
    {
        if (safety == CallSafety.SendOnce)
        {
            return await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await retryPipeline.ExecuteAsync(
            static (state, ct) => new ValueTask<ApiResponse>(state.Transport.SendOnceAsync(state.Request, ct)),
            (Transport: this, Request: request),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<ApiResponse> SendOnceAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // One token source per attempt, linked to the caller's, cancelled by the attempt's timer.
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = StartTimer(attempt);
        try
        {
            using var message = Message(request);
            using var response = await connection.Invoker.SendAsync(message, attempt.Token).ConfigureAwait(false);
            var body = await BoundedBody.ReadAsync(response.Content, maxResponseBytes, attempt.Token).ConfigureAwait(false);
            if (body is null)
            {
                return ApiResponse.NetworkError($"answer larger than {maxResponseBytes} bytes, not read");
            }

            return new ApiResponse((int)response.StatusCode, body.Value, AuthorizationOf(response), TransportFailure.None, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ApiResponse.TimedOut(Timeout);
        }
        catch (HttpRequestException ex)
        {
            return ApiResponse.NetworkError(ex.GetBaseException().Message);
        }
        catch (IOException ex)
        {
            // The connection broke while the body was read.
            return ApiResponse.NetworkError(ex.GetBaseException().Message);
        }
        catch (InvalidDataException ex)
        {
            // A corrupt compressed body (gzip, deflate, brotli): an answer not understood, as a broken connection.
            return ApiResponse.NetworkError("corrupt compressed answer: " + ex.Message);
        }
    }

    // TimeProvider.System: CancelAfter on the token source itself (no second source, no extra timer object).
    private ITimer? StartTimer(CancellationTokenSource attempt)
    {
        if (time == TimeProvider.System)
        {
            attempt.CancelAfter(Timeout);
            return null;
        }

        return time.CreateTimer(static s => CancelQuietly((CancellationTokenSource)s!), attempt, Timeout, System.Threading.Timeout.InfiniteTimeSpan);
    }

    // The timer may fire while the attempt ends and disposes its source: nothing is left to cancel then.
    private static void CancelQuietly(CancellationTokenSource attempt)
    {
        try
        {
            attempt.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private HttpRequestMessage Message(ApiRequest request)
    {
        request.Uri ??= new Uri(string.Concat(baseUrl, request.PathAndQuery.AsSpan().TrimStart('/')), UriKind.Absolute);
        var message = new HttpRequestMessage(request.Method, request.Uri);
        var headers = message.Headers;
        if (request.Authorization is { } authorization)
        {
            headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (request.HeaderName is { } name)
        {
            headers.TryAddWithoutValidation(name, request.HeaderValue);
        }

        headers.TryAddWithoutValidation("User-Agent", UserAgent);
        headers.TryAddWithoutValidation("Accept", request.Accept);
        if (request.Body is { } body)
        {
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            message.Content = content;
        }

        return message;
    }

    // VEM's authenticate answers its token in an Authorization header (a request header name: read it unvalidated).
    private static string? AuthorizationOf(HttpResponseMessage response)
    {
        foreach (var header in response.Headers.NonValidated)
        {
            if (string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                return header.Value.ToString();
            }
        }

        return null;
    }
}
