using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Middleware.Api.Http;
using Middleware.Api.Vem;
using Middleware.Contracts.Channels;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Telemetry;

namespace Middleware.Api.Izly;

/// <summary>
/// The Izly till API and IzlyPay client (crous-izly-api.md §5, §8) behind the contract's <see cref="IIzlyGateway"/>.
/// Wire details live in <see cref="IzlyAdapter"/>. Refusals throw <see cref="IzlyRefusedException"/> (switch on
/// <see cref="IzlyRefusedException.Refusal"/>); no answer throws <see cref="IzlyUnavailableException"/>.
/// <para><b>Debits are sent once.</b> After a timeout, a 5xx or a dropped connection the debit's outcome is unknown:
/// the caller asks <see cref="GetDebitAsync"/> with the same <c>clientOrderId</c> (null: Izly has no such debit, and
/// sending the debit again with the SAME clientOrderId is safe, Izly answering the first result for a repeat).</para>
/// </summary>
internal sealed class IzlyClient : IIzlyGateway, IIzlyOperations, IDisposable
{
    private readonly IzlyOptions options;
    private readonly IzlyKeyStore keys;
    private readonly ILogger logger;
    private readonly ApiConnection connection;
    private readonly ApiTransport transport;
    private readonly ApiTransport onceTransport;

    // The Basic credentials of each point of sale's current key, made once per key rather than per call.
    private readonly ConcurrentDictionary<PointOfSaleId, Credentials> credentials = new();

    public IzlyClient(IzlyOptions options, IzlyKeyStore keys, TimeProvider time, ILogger<IzlyClient> logger, HttpMessageHandler? handler = null)
    {
        this.options = options;
        this.keys = keys;
        this.logger = logger;
        // One pooled handler for the base address: searches and debits share its connections.
        connection = new ApiConnection(handler);
        transport = new ApiTransport(connection, options.BaseUrl, options.Timeout, options.Retry, options.MaxResponseBytes, time);
        onceTransport = new ApiTransport(connection, options.BaseUrl, options.DebitTimeout, new RetryOptions { MaxRetries = 0 }, options.MaxResponseBytes, time);
    }

    /// <summary>The pooled handler every call goes through (tests check it is one for all calls).</summary>
    internal HttpMessageHandler Handler => connection.Handler;

    public async Task<RightHolder> FindBySupportAsync(string pointOfSale, string idSupport, string numeroApplicatif, CancellationToken cancellationToken)
    {
        var pos = PointOfSaleId.Parse(pointOfSale);
        var response = await SendAsync(
            pos,
            new ApiRequest(HttpMethod.Get, ApiRequest.WithQuery(IzlyAdapter.SearchSupportPath, "idSupport", idSupport, "numeroApplicatif", numeroApplicatif)),
            CallSafety.SafeToRepeat,
            IzlyCall.SearchSupport,
            cancellationToken).ConfigureAwait(false);
        return IzlyAdapter.ToRightHolder(Read(response, ApiJsonContext.Default.RightHolderWire, IzlyCall.SearchSupport));
    }

    public async Task<RightHolder> FindByQrCodeAsync(string pointOfSale, string scannedText, CancellationToken cancellationToken)
    {
        var pos = PointOfSaleId.Parse(pointOfSale);
        var encoded = IzlyAdapter.EncodeQrCode(scannedText);
        var response = await SendAsync(
            pos,
            new ApiRequest(HttpMethod.Get, ApiRequest.WithQuery(IzlyAdapter.SearchQrCodePath, "qrCode", encoded)),
            CallSafety.SafeToRepeat,
            IzlyCall.SearchQrCode,
            cancellationToken).ConfigureAwait(false);
        return IzlyAdapter.ToRightHolder(Read(response, ApiJsonContext.Default.RightHolderWire, IzlyCall.SearchQrCode));
    }

    public async Task<DebitResult> DebitAsync(DebitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pos = PointOfSaleId.Parse(request.PointOfSale);
        var (byQr, code, samId) = request.Medium switch
        {
            CardMedium card => (false, card.Card.IdSupport, card.Card.SamId),
            QrMedium qr => (true, IzlyAdapter.EncodeQrCode(qr.ScannedText), (string?)null),
            _ => throw new ArgumentException($"A debit needs a card or a QR code, not {request.Medium.Channel}.", nameof(request)),
        };
        // Converts euros to cents, refuses sub-cent amounts; written straight to UTF-8.
        var body = JsonSerializer.SerializeToUtf8Bytes(IzlyAdapter.BuildDebitBody(request, samId), ApiJsonContext.Default.DebitBody);
        var response = (await SendCoreAsync(
            pos,
            new ApiRequest(HttpMethod.Post, IzlyAdapter.DebitPath(byQr, code), body),
            CallSafety.SendOnce,
            IzlyCall.Debit,
            notFoundIsNull: false,
            outcomeUnknownOf: request.ClientOrderId,
            cancellationToken).ConfigureAwait(false))!;
        try
        {
            var result = IzlyAdapter.ToDebitResult(Read(response, ApiJsonContext.Default.OperationWire, IzlyCall.Debit));
            IzlyLog.Debited(logger, request.ClientOrderId, request.Amount, pos, result.Status, result.IdTransactionIzly);
            return result;
        }
        catch (IzlyRefusedException ex) when (response.IsSuccess)
        {
            // Izly said yes with a body we cannot read: the money may have moved. Unknown, not refused.
            throw new IzlyUnavailableException($"Izly debit {request.ClientOrderId}: unreadable answer; outcome unknown, recover with GetDebitAsync.", ex);
        }
    }

    public async Task<DebitResult?> GetDebitAsync(string pointOfSale, string clientOrderId, CancellationToken cancellationToken)
    {
        var pos = PointOfSaleId.Parse(pointOfSale);
        var response = await SendCoreAsync(
            pos,
            new ApiRequest(HttpMethod.Get, IzlyAdapter.ByClientOrderIdPath(clientOrderId)),
            CallSafety.SafeToRepeat,
            IzlyCall.ByClientOrderId,
            notFoundIsNull: true,
            outcomeUnknownOf: null,
            cancellationToken).ConfigureAwait(false);
        return response is null ? null : IzlyAdapter.ToDebitResult(Read(response, ApiJsonContext.Default.OperationWire, IzlyCall.ByClientOrderId));
    }

    public async Task<IzlyOperationStatus> CancelAsync(string pointOfSale, string idTransactionIzly, CancellationToken cancellationToken)
    {
        var pos = PointOfSaleId.Parse(pointOfSale);
        // Like a debit, a cancel is sent once and its answer may be lost or garbled after Izly refunded: anything but
        // a success or one of Izly's own refusals leaves it unknown, settled by asking Izly for the debit.
        var response = (await SendCoreAsync(
            pos,
            new ApiRequest(HttpMethod.Post, IzlyAdapter.CancelPath(idTransactionIzly)),
            CallSafety.SendOnce,
            IzlyCall.Cancel,
            notFoundIsNull: false,
            outcomeUnknownOf: idTransactionIzly,
            cancellationToken).ConfigureAwait(false))!;
        IzlyOperationStatus status;
        try
        {
            status = IzlyAdapter.ToStatus(Read(response, ApiJsonContext.Default.CancelWire, IzlyCall.Cancel).Status);
        }
        catch (IzlyRefusedException ex)
        {
            throw new IzlyUnavailableException($"Izly {IzlyCall.Cancel.Unknown(idTransactionIzly)}: unreadable answer; outcome unknown, ask Izly for the debit.", ex);
        }

        logger.LogInformation("Izly cancel of transaction {IdTransactionIzly} at {PointOfSale}: {Status}", idTransactionIzly, pos, status);
        return status;
    }

    public async Task<WebPaymentStarted> StartWebPaymentAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken)
    {
        var pos = PointOfSaleId.Parse(pointOfSale);
        var body = JsonSerializer.SerializeToUtf8Bytes(IzlyAdapter.BuildWebPaymentBody(clientOrderId, amount, message, callbackUrl, redirectUrl), ApiJsonContext.Default.WebPaymentBody);
        var response = await SendAsync(
            pos,
            new ApiRequest(HttpMethod.Post, IzlyAdapter.WebPaymentsPath, body, IzlyAdapter.SMoneyContentType) { Accept = ApiRequest.JsonAccept },
            CallSafety.SendOnce,
            IzlyCall.WebPayment,
            cancellationToken).ConfigureAwait(false);
        var created = Read(response, ApiJsonContext.Default.WebPaymentCreatedWire, IzlyCall.WebPayment);
        if (created.OperationSMoney?.Id is not { Length: > 0 } operationId
            || !Uri.TryCreate(created.PaymentAuthorizationUrl, UriKind.Absolute, out var url))
        {
            throw new IzlyUnavailableException("Izly web payment: answer without operation id or payment URL.");
        }

        logger.LogInformation("IzlyPay web payment {OperationId} ({ClientOrderId}, {Amount} EUR) started at {PointOfSale}", operationId, clientOrderId, amount, pos);
        return new WebPaymentStarted(operationId, url);
    }

    public async Task<WebPaymentState> GetWebPaymentAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken)
    {
        var pos = PointOfSaleId.Parse(pointOfSale);
        var response = await SendAsync(
            pos,
            new ApiRequest(HttpMethod.Get, IzlyAdapter.WebPaymentPath(operationId)) { Accept = ApiRequest.JsonAccept },
            CallSafety.SafeToRepeat,
            IzlyCall.WebPaymentVerification,
            cancellationToken).ConfigureAwait(false);
        return IzlyAdapter.ToWebPaymentState(Read(response, ApiJsonContext.Default.WebPaymentCheckWire, IzlyCall.WebPaymentVerification), operationId, clientOrderId);
    }

    public async Task<IReadOnlyList<IzlyOperation>> ListOperationsAsync(PointOfSaleId pointOfSale, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (to <= from || to - from > options.MaxOperationsRange)
        {
            throw new ArgumentException($"An Izly operations range ends after it starts and spans at most {options.MaxOperationsRange.TotalDays:0.#} days (asked {from:O} to {to:O}).", nameof(to));
        }

        var pageSize = Math.Clamp(options.OperationsPageSize, 1, IzlyAdapter.MaxOperationsPageSize);
        var maxPages = options.MaxOperations / pageSize + 1;
        var fromText = from.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        var toText = to.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        // Keyed by id, in the order Izly gives them: an operation refunded while we page may come twice (the later wins).
        var byId = new Dictionary<string, IzlyOperation>(StringComparer.Ordinal);
        IzlyUnavailableException Hostile(string what) =>
            new($"Izly operations list of {pointOfSale} ({fromText} to {toText}) refused: {what}. The list is not used.");

        for (var page = 1; ; page++)
        {
            if (page > maxPages)
            {
                throw Hostile($"more than {maxPages} pages of {pageSize}");
            }

            var path = ApiRequest.WithQuery(
                ApiRequest.WithQuery(IzlyAdapter.OperationsPath, "from", fromText, "to", toText),
                "page", page.ToString(CultureInfo.InvariantCulture), "pageSize", pageSize.ToString(CultureInfo.InvariantCulture));
            var response = await SendAsync(
                pointOfSale,
                new ApiRequest(HttpMethod.Get, path),
                CallSafety.SafeToRepeat,
                IzlyCall.OperationsList,
                cancellationToken).ConfigureAwait(false);
            IzlyAdapter.OperationsPageWire wire;
            try
            {
                wire = Read(response, ApiJsonContext.Default.OperationsPageWire, IzlyCall.OperationsList);
            }
            catch (IzlyRefusedException ex)
            {
                throw new IzlyUnavailableException(Hostile(ex.Message).Message, ex);
            }

            if (wire.Page != page || wire.Operations is not { } operations || wire.TotalCount is not { } total || total < 0)
            {
                throw Hostile($"page {page} answered as page {wire.Page?.ToString(CultureInfo.InvariantCulture) ?? "?"}, without operations or totalCount");
            }

            if (total > options.MaxOperations)
            {
                throw Hostile($"{total} operations, more than CrousApis:Izly:MaxOperations ({options.MaxOperations}); ask a shorter range");
            }

            if (operations.Count > pageSize)
            {
                throw Hostile($"{operations.Count} operations on a page of {pageSize}");
            }

            foreach (var w in operations)
            {
                try
                {
                    var operation = IzlyAdapter.ToOperation(w ?? throw new FormatException("a null operation"), pointOfSale, from, to);
                    byId[operation.IdTransactionIzly] = operation;
                }
                catch (FormatException ex)
                {
                    throw Hostile(ex.Message);
                }
            }

            var seen = (long)(page - 1) * pageSize + operations.Count;
            if (operations.Count < pageSize || seen >= total)
            {
                if (seen != total)
                {
                    throw Hostile($"totalCount {total} but {seen} operations given over {page} pages");
                }

                logger.LogInformation("Izly operations of {PointOfSale} from {From} to {To}: {Count} in {Pages} pages", pointOfSale, fromText, toText, byId.Count, page);
                return [.. byId.Values];
            }
        }
    }

    private async Task<ApiResponse> SendAsync(PointOfSaleId pos, ApiRequest request, CallSafety safety, IzlyCall call, CancellationToken cancellationToken) =>
        (await SendCoreAsync(pos, request, safety, call, false, null, cancellationToken).ConfigureAwait(false))!;

    // Every Izly call is timed and traced here; the call's name is one of IzlyCall's (bounded).
    private async Task<ApiResponse?> SendCoreAsync(PointOfSaleId pos, ApiRequest request, CallSafety safety, IzlyCall call, bool notFoundIsNull, string? outcomeUnknownOf, CancellationToken cancellationToken)
    {
        using var span = MiddlewareTelemetry.Source.StartActivity(call.ActivityName, ActivityKind.Client);
        var started = Stopwatch.GetTimestamp();
        var what = call.Name;
        try
        {
            var response = await SendUnmeasuredAsync(pos, request, safety, call, notFoundIsNull, outcomeUnknownOf, cancellationToken).ConfigureAwait(false);
            IzlyMetrics.Called(what, response is null ? "not_found" : "ok", Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception ex)
        {
            var result = IzlyMetrics.ResultOf(ex);
            IzlyMetrics.Called(what, result, Stopwatch.GetElapsedTime(started));
            span?.SetStatus(ActivityStatusCode.Error, result);
            throw;
        }
    }

    private async Task<ApiResponse?> SendUnmeasuredAsync(PointOfSaleId pos, ApiRequest request, CallSafety safety, IzlyCall call, bool notFoundIsNull, string? outcomeUnknownOf, CancellationToken cancellationToken)
    {
        var what = call.Name;
        var sender = safety == CallSafety.SendOnce ? onceTransport : transport;
        string key;
        try
        {
            key = await keys.GetAsync(pos, refresh: false, cancellationToken).ConfigureAwait(false);
        }
        catch (VemApiException ex)
        {
            // Nothing reached Izly: the operation did not happen.
            throw new IzlyUnavailableException($"Izly {what}: the Izly key of {pos} is unavailable ({ex.Failure}); nothing was sent.", ex);
        }

        Authorize(request, pos, key);
        var response = await sender.SendAsync(request, safety, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is Status.Unauthorized or Status.Forbidden)
        {
            // The key may have been regenerated in VEM: fetch it again and retry once (a 401 was not processed).
            logger.LogInformation("Izly refused the key of {PointOfSale} ({Status}) for {Call}: fetching it again from VEM", pos, response.StatusCode, what);
            try
            {
                key = await keys.GetAsync(pos, refresh: true, cancellationToken).ConfigureAwait(false);
            }
            catch (VemApiException ex)
            {
                throw new IzlyRefusedException(IzlyRefusal.Other, $"Izly {what}: the key of {pos} was refused and VEM could not give it again ({ex.Failure}).");
            }

            Authorize(request, pos, key);
            response = await sender.SendAsync(request, safety, cancellationToken).ConfigureAwait(false);
        }

        if (response.IsSuccess)
        {
            return response;
        }

        if (notFoundIsNull && response.StatusCode == Status.NotFound)
        {
            return null;
        }

        var outcomeUnknownOnFailure = outcomeUnknownOf is null ? null : call.Unknown(outcomeUnknownOf);
        if (response.IsTransient)
        {
            if (outcomeUnknownOnFailure is not null)
            {
                logger.LogWarning("Izly {Operation} at {PointOfSale}: {Failure}; outcome UNKNOWN, to recover by clientOrderId", outcomeUnknownOnFailure, pos, response.Describe());
                throw new IzlyUnavailableException($"Izly {outcomeUnknownOnFailure}: {response.Describe()}; outcome unknown: recover by asking Izly for the order (GetDebitAsync), never send it again with a new id.");
            }

            throw new IzlyUnavailableException($"Izly {what}: {response.Describe()}.");
        }

        if (outcomeUnknownOnFailure is not null && !IzlyAdapter.IsDefiniteRefusal(response, isCancel: call == IzlyCall.Cancel))
        {
            // A non-2xx that is not one of Izly's own refusals (a proxy's 404, a 409, a redirect...) does not prove the
            // debit or cancel was not made: unknown, settled by asking Izly for the order, never a final "no".
            logger.LogWarning("Izly {Operation} at {PointOfSale}: unexpected {Status}; outcome UNKNOWN, to recover by clientOrderId", outcomeUnknownOnFailure, pos, response.Describe());
            throw new IzlyUnavailableException($"Izly {outcomeUnknownOnFailure}: unexpected answer {response.Describe()}; outcome unknown: recover by asking Izly for the order (GetDebitAsync).");
        }

        var refused = IzlyAdapter.Refused(response, what);
        logger.LogInformation("Izly {Call} at {PointOfSale} refused: {Refusal} ({Status})", what, pos, refused.Refusal, response.StatusCode);
        throw refused;
    }

    // The request carries the Authorization and AppIdentifier of the key in use; credentials are made once per key.
    private void Authorize(ApiRequest request, PointOfSaleId pos, string key)
    {
        if (!credentials.TryGetValue(pos, out var current) || !string.Equals(current.Key, key, StringComparison.Ordinal))
        {
            current = new Credentials(key, pos.ToString(), IzlyAdapter.BasicCredentials(pos.ToString(), key));
            credentials[pos] = current;
        }

        request.Authorization = current.Basic;
        request.HeaderName = IzlyAdapter.AppIdentifierHeader;
        request.HeaderValue = current.AppId;
    }

    private static T Read<T>(ApiResponse response, JsonTypeInfo<T> type, IzlyCall call)
    {
        var what = call.Name;
        try
        {
            return JsonSerializer.Deserialize(response.Body.Span, type)
                ?? throw new IzlyRefusedException(IzlyRefusal.Other, $"Izly {what}: empty answer.");
        }
        catch (JsonException ex)
        {
            throw new IzlyRefusedException($"Izly {what}: answer is not the expected JSON ({ex.Path}).", ex);
        }
    }

    public void Dispose() => connection.Dispose();

    /// <summary>A point of sale's key and the header values made from it.</summary>
    private sealed record Credentials(string Key, string AppId, string Basic);
}
