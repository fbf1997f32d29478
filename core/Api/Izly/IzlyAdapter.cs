using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.Api.Http;
using Middleware.Contracts.Channels;
using Middleware.Domain.Money;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Izly;

// The ONE place that knows the Izly wire contract (crous-izly-api.md §5 till API, §7 errors, §8 IzlyPay):
// paths, field names, auth headers, status and error-code mapping, and the euro/cent conversion (via Euro).

/// <summary>Paths, bodies and status/error mapping of the Izly API.</summary>
internal static class IzlyAdapter
{
    public const string AppIdentifierHeader = "AppIdentifier";

    // §8: IzlyPay bodies use the S-money media type.
    public const string SMoneyMediaType = "application/vnd.s-money.v1+json";

    /// <summary>The Content-Type header of an IzlyPay body, as it always went (UTF-8 text).</summary>
    public const string SMoneyContentType = SMoneyMediaType + "; charset=utf-8";

    // §5 paths.
    public const string SearchSupportPath = "/api/rightholders/searchSupport";
    public const string SearchQrCodePath = "/api/rightholders/searchQRCode";
    private const string DebitByQrCodePath = "/api/payments/debit/qrcode/";
    private const string DebitBySupportPath = "/api/payments/debit/support/";

    public static string DebitPath(bool byQrCode, string code) =>
        (byQrCode ? DebitByQrCodePath : DebitBySupportPath) + Uri.EscapeDataString(code);

    // [designed] §5 reconciliation list.
    public const string OperationsPath = "/api/payments";
    public const int MaxOperationsPageSize = 500;

    public static string ByClientOrderIdPath(string clientOrderId) => "/api/payments/byClientOrderId/" + Uri.EscapeDataString(clientOrderId);

    public static string CancelPath(string idTransactionIzly) => "/api/payments/" + Uri.EscapeDataString(idTransactionIzly) + "/cancel";

    // §8 paths.
    public const string WebPaymentsPath = "/api/Izly/WebPayments";

    public static string WebPaymentPath(string operationId) => WebPaymentsPath + "/" + Uri.EscapeDataString(operationId);

    /// <summary>§5: a QR code travels as standard base64 of the scanned text (UTF-8); callers percent-encode it
    /// in paths and queries (<see cref="ApiRequest.WithQuery(string, string, string)"/> encodes query values;
    /// <see cref="DebitPath"/> encodes the path segment).</summary>
    public static string EncodeQrCode(string scannedText) => Convert.ToBase64String(Encoding.UTF8.GetBytes(scannedText));

    /// <summary>§5: <c>Basic base64(appId:cleIzly)</c>.</summary>
    public static string BasicCredentials(string appId, string cleIzly) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(appId + ":" + cleIzly));

    public static DebitBody BuildDebitBody(DebitRequest request, string? samId) =>
        new(Euro.ToCents(request.Amount), request.ClientOrderId, request.PointOfSale, samId);

    public static WebPaymentBody BuildWebPaymentBody(string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl) =>
        new(Euro.ToCents(amount), clientOrderId, clientOrderId, redirectUrl?.ToString(), message, callbackUrl?.ToString());

    public static RightHolder ToRightHolder(RightHolderWire w) => new(
        w.Identifier ?? "",
        w.FirstName ?? "",
        w.LastName ?? "",
        Euro.FromCents(w.Balance),
        w.IdCompanyRate,
        w.IdRate,
        w.DueDate,
        w.AccountStatus ?? "",
        w.BlockingStatus ?? "",
        w.IdCrous,
        w.RneOrgCode,
        w.Email,
        w.LoyaltyPoints ?? 0);

    public static DebitResult ToDebitResult(OperationWire w) => new(
        w.IdTransactionIzly ?? "",
        ToStatus(w.Status),
        Euro.FromCents(w.BalanceAfter ?? 0),
        w.OperationDate ?? default);

    public static IzlyOperationStatus ToStatus(int? status) =>
        status is { } s && Enum.IsDefined(typeof(IzlyOperationStatus), s) ? (IzlyOperationStatus)s : IzlyOperationStatus.Unknown;

    /// <summary>
    /// [designed] §5: one listed operation, checked: an answer that is not a coherent operation of this range (no id, no
    /// clientOrderId, an amount that is not a positive number of cents, dates missing or out of the range asked, a refund
    /// date on an operation not refunded) is refused with what is wrong, never turned into a half-true record.
    /// </summary>
    public static IzlyOperation ToOperation(ListedOperationWire w, PointOfSaleId pos, DateTimeOffset from, DateTimeOffset to)
    {
        string Bad(string what) => $"operation {Cut(w.IdTransactionIzly)}: {what}";
        if (string.IsNullOrWhiteSpace(w.IdTransactionIzly) || w.IdTransactionIzly.Length > 64)
        {
            throw new FormatException("an operation without idTransactionIzly (or longer than 64 characters)");
        }

        if (string.IsNullOrWhiteSpace(w.ClientOrderId) || w.ClientOrderId.Length > 200)
        {
            throw new FormatException(Bad("no clientOrderId (or longer than 200 characters)"));
        }

        if (w.Amount is not { } cents || cents <= 0)
        {
            throw new FormatException(Bad($"amount {w.Amount?.ToString(CultureInfo.InvariantCulture) ?? "missing"} is not a positive number of cents"));
        }

        if (w.Status is not { } status || !Enum.IsDefined(typeof(IzlyOperationStatus), status))
        {
            throw new FormatException(Bad($"status {w.Status?.ToString(CultureInfo.InvariantCulture) ?? "missing"} is not one of Izly's operation statuses"));
        }

        if (w.CreatedAt is not { } created || w.UpdatedAt is not { } updated || updated < created)
        {
            throw new FormatException(Bad("createdAt or updatedAt missing, or updated before created"));
        }

        if (!(created >= from && created < to) && !(updated >= from && updated < to))
        {
            throw new FormatException(Bad($"neither created ({created:O}) nor updated ({updated:O}) in the range asked"));
        }

        var kind = (IzlyOperationStatus)status;
        if (w.RefundedAt is { } refunded && (refunded < created || kind is not (IzlyOperationStatus.Cancelled or IzlyOperationStatus.Refunded)))
        {
            throw new FormatException(Bad($"refundedAt on an operation {kind}, or before it was made"));
        }

        return new IzlyOperation(pos, w.IdTransactionIzly, w.ClientOrderId, Euro.FromCents(cents), kind,
            string.IsNullOrWhiteSpace(w.Means) ? "unknown" : Cut(w.Means), created, updated, w.RefundedAt);
    }

    private static string Cut(string? text) => text is null ? "(none)" : text.Length > 64 ? text[..64] + "..." : text;

    /// <summary>§8 verification: reject when <c>error</c> is set or <c>orderId</c> is not the one we created.</summary>
    public static WebPaymentState ToWebPaymentState(WebPaymentCheckWire w, string operationId, string expectedClientOrderId)
    {
        string? error = ErrorText(w.Error);
        if (error is null && !string.Equals(w.OrderId, expectedClientOrderId, StringComparison.Ordinal))
        {
            error = $"orderId mismatch: Izly says '{w.OrderId}', expected '{expectedClientOrderId}'";
        }

        var status = error is null ? ToStatus(w.OperationStatus) : (ToStatus(w.OperationStatus) == IzlyOperationStatus.Completed ? IzlyOperationStatus.Unknown : ToStatus(w.OperationStatus));
        return new WebPaymentState(w.OperationId ?? operationId, status, w.ClientCode, error);
    }

    private static string? ErrorText(JsonElement? error) => error switch
    {
        null => null,
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        { ValueKind: JsonValueKind.String } e => string.IsNullOrEmpty(e.GetString()) ? null : e.GetString(),
        { ValueKind: JsonValueKind.Object } e =>
            (e.TryGetProperty("code", out var c) ? c.ToString() + " " : "") + (e.TryGetProperty("message", out var m) ? m.ToString() : ""),
        { } e => e.ToString(),
    };

    /// <summary>§7: the first error of <c>{"errors":[...]}</c>.</summary>
    public static ApiError? ReadError(ApiResponse response)
    {
        if (response.IsBlank)
        {
            return null;
        }

        try
        {
            var first = JsonSerializer.Deserialize(response.Body.Span, ApiJsonContext.Default.IzlyErrorBody)?.Errors is [var e, ..] ? e : null;
            return first is null ? null : new ApiError(first.Code ?? "", first.Message ?? "", first.Field);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>§7: status and code to a refusal the till can switch on.</summary>
    public static IzlyRefusal Refusal(int status, ApiError? error)
    {
        var code = error?.Code;
        var message = error?.Message ?? "";
        return code switch
        {
            "-50" => IzlyRefusal.InsufficientBalance,
            "-60" => IzlyRefusal.QrInvalid,
            "-61" => IzlyRefusal.QrExpired,
            "-62" => IzlyRefusal.QrAlreadyUsed,
            "-8" => IzlyRefusal.Expired,
            "-41" => IzlyRefusal.AccountBlocked,
            "-42" or "-117" => IzlyRefusal.UnknownHolder,
            // [designed by the sandbox] -43: account not usable (NON_CONFIRME, CLOTURE, CLOTURE_EN_COURS).
            "-43" => IzlyRefusal.AccountClosed,
            _ when status == Status.Locked => message.Contains("GELE", StringComparison.OrdinalIgnoreCase) ? IzlyRefusal.AccountFrozen : IzlyRefusal.AccountBlocked,
            _ when status == Status.NotFound => IzlyRefusal.UnknownHolder,
            _ => IzlyRefusal.Other,
        };
    }

    /// <summary>
    /// True when a non-2xx answer to a debit or a cancel proves that Izly did not do it: one of Izly's own refusals (its error body
    /// with a known code, or 423 locked), or an authentication refusal (401/403: the request was not processed). Anything
    /// else, a 404 or 409 without Izly's error body, a redirect, an unknown code, leaves the outcome unknown.
    /// </summary>
    public static bool IsDefiniteRefusal(ApiResponse response, bool isCancel = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode is Status.Unauthorized or Status.Forbidden or Status.Locked)
        {
            return true;
        }

        // Judged by Izly's code alone (status 0: no fallback by status). A 404 whose body has an error of another code
        // (a gateway's, a sandbox fault) is not Izly saying "unknown holder": the debit may have been made.
        var error = ReadError(response);
        return error is not null && response.StatusCode is >= 400 and < 500 && Refusal(0, error) != IzlyRefusal.Other
            || error is { Code: "-2" } && response.StatusCode == 400
            // A cancel's own refusals: [designed] 422 -63 (another day, not completed), 404 -1 (no such operation).
            || isCancel && error is { Code: "-63" } && response.StatusCode == Status.UnprocessableEntity
            || isCancel && error is { Code: "-1" } && response.StatusCode == Status.NotFound;
    }

    /// <summary>Builds the exception for a non-2xx answer that is not transient.</summary>
    public static IzlyRefusedException Refused(ApiResponse response, string what)
    {
        var error = ReadError(response);
        var refusal = Refusal(response.StatusCode, error);
        var text = error is null
            ? $"Izly {what}: {response.Describe()}."
            : $"Izly {what}: {response.Describe()} code {error.Code}: {error.Message}";
        return new IzlyRefusedException(refusal, text, BalanceFromMessage(refusal, error));
    }

    // The sandbox says "... : 120 centimes disponibles, ..." for -50; the real API may give the balance otherwise.
    private static decimal? BalanceFromMessage(IzlyRefusal refusal, ApiError? error)
    {
        if (refusal != IzlyRefusal.InsufficientBalance || error is null)
        {
            return null;
        }

        var match = System.Text.RegularExpressions.Regex.Match(error.Message, @"(\d+) centimes disponibles");
        return match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var cents) ? Euro.FromCents(cents) : null;
    }

    internal sealed record DebitBody(
        [property: JsonPropertyName("amount")] long Amount,
        [property: JsonPropertyName("clientOrderId")] string ClientOrderId,
        [property: JsonPropertyName("pointOfSale")] string PointOfSale,
        [property: JsonPropertyName("samId")] string? SamId);

    internal sealed record WebPaymentBody(
        [property: JsonPropertyName("amount")] long Amount,
        [property: JsonPropertyName("clientOrderId")] string ClientOrderId,
        [property: JsonPropertyName("callbackParameters")] string? CallbackParameters,
        [property: JsonPropertyName("redirectUrlAfterPayment")] string? RedirectUrlAfterPayment,
        [property: JsonPropertyName("message")] string? Message,
        // [designed] where the callback goes; absent in the public integration (configured at Izly there).
        [property: JsonPropertyName("callbackUrl")] string? CallbackUrl);

    internal sealed record RightHolderWire(
        [property: JsonPropertyName("identifier"), JsonConverter(typeof(FlexibleStringConverter))] string? Identifier,
        [property: JsonPropertyName("firstName")] string? FirstName,
        [property: JsonPropertyName("lastName")] string? LastName,
        [property: JsonPropertyName("balance")] long Balance,
        [property: JsonPropertyName("idCompanyRate")] int IdCompanyRate,
        [property: JsonPropertyName("idRate")] int IdRate,
        [property: JsonPropertyName("dueDate")] DateTimeOffset? DueDate,
        [property: JsonPropertyName("accountStatus")] string? AccountStatus,
        [property: JsonPropertyName("blockingStatus")] string? BlockingStatus,
        [property: JsonPropertyName("idCrous")] int? IdCrous,
        [property: JsonPropertyName("rneOrgCode")] string? RneOrgCode,
        [property: JsonPropertyName("email")] string? Email,
        [property: JsonPropertyName("loyaltyPoints")] int? LoyaltyPoints);

    internal sealed record OperationWire(
        [property: JsonPropertyName("idTransactionIzly"), JsonConverter(typeof(FlexibleStringConverter))] string? IdTransactionIzly,
        [property: JsonPropertyName("status")] int? Status,
        [property: JsonPropertyName("balanceAfter")] long? BalanceAfter,
        [property: JsonPropertyName("operationDate")] DateTimeOffset? OperationDate);

    internal sealed record OperationsPageWire(
        [property: JsonPropertyName("page")] int? Page,
        [property: JsonPropertyName("pageSize")] int? PageSize,
        [property: JsonPropertyName("totalCount")] int? TotalCount,
        [property: JsonPropertyName("operations")] List<ListedOperationWire?>? Operations);

    internal sealed record ListedOperationWire(
        [property: JsonPropertyName("idTransactionIzly"), JsonConverter(typeof(FlexibleStringConverter))] string? IdTransactionIzly,
        [property: JsonPropertyName("clientOrderId")] string? ClientOrderId,
        [property: JsonPropertyName("amount")] long? Amount,
        [property: JsonPropertyName("status")] int? Status,
        [property: JsonPropertyName("means")] string? Means,
        [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
        [property: JsonPropertyName("updatedAt")] DateTimeOffset? UpdatedAt,
        [property: JsonPropertyName("refundedAt")] DateTimeOffset? RefundedAt);

    internal sealed record CancelWire([property: JsonPropertyName("status")] int? Status);

    internal sealed record WebPaymentCreatedWire(
        [property: JsonPropertyName("paymentAuthorizationUrl")] string? PaymentAuthorizationUrl,
        [property: JsonPropertyName("operationSMoney")] WebOperationWire? OperationSMoney);

    internal sealed record WebOperationWire(
        [property: JsonPropertyName("id"), JsonConverter(typeof(FlexibleStringConverter))] string? Id,
        [property: JsonPropertyName("clientOrderId")] string? ClientOrderId,
        [property: JsonPropertyName("status")] int? Status);

    internal sealed record WebPaymentCheckWire(
        [property: JsonPropertyName("operationId"), JsonConverter(typeof(FlexibleStringConverter))] string? OperationId,
        [property: JsonPropertyName("orderId")] string? OrderId,
        [property: JsonPropertyName("error")] JsonElement? Error,
        [property: JsonPropertyName("operationStatus")] int? OperationStatus,
        // [designed] the payer's client code, when the verification call gives it.
        [property: JsonPropertyName("clientCode")] string? ClientCode);

    internal sealed record ErrorBody([property: JsonPropertyName("errors")] List<ErrorItem>? Errors);

    internal sealed record ErrorItem(
        [property: JsonPropertyName("code")] string? Code,
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("field")] string? Field);
}
