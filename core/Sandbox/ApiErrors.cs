using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Middleware.Sandbox;

// Error body of crous-izly-api.md §7: {"errors":[{"code":"-11","message":"...","field":null}]}.

/// <summary>One error of an error body.</summary>
public sealed record ApiError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("field")] string? Field);

/// <summary>The §7 error body.</summary>
public sealed record ApiErrorBody([property: JsonPropertyName("errors")] IReadOnlyList<ApiError> Errors);

/// <summary>The codes the sandbox answers (§7; the [designed] ones are marked).</summary>
public static class SandboxErrorCodes
{
    public const string Unknown = "-1";
    public const string DueDatePast = "-8";
    public const string CardInvalidated = "-9";
    public const string Opposition = "-41";
    public const string UnknownClient = "-42";
    /// <summary>[designed] The account is not usable: NON_CONFIRME, CLOTURE or CLOTURE_EN_COURS (message names it).</summary>
    public const string AccountNotActive = "-43";
    public const string Anonymised = "-117";
    public const string InsufficientBalance = "-50";
    public const string QrInvalid = "-60";
    public const string QrExpired = "-61";
    public const string QrUsed = "-62";
    /// <summary>[designed] Cancel refused: another day, another point of sale, or not completed.</summary>
    public const string NotCancellable = "-63";
    public const string IncoherentTicket = "-70";
    /// <summary>[designed] 409: the idTicketEntete already holds another ticket (body <c>empreinteCorpsStocke</c> = its hash).</summary>
    public const string TicketIdConflict = "-71";
    /// <summary>[designed] Malformed request (bad JSON, missing field, bad amount).</summary>
    public const string BadRequest = "-2";
    /// <summary>[designed] Authentication failed or token expired (401), or forbidden (403).</summary>
    public const string Unauthorized = "-3";
    public const string Forbidden = "-4";
    /// <summary>[designed] Fault injected by the sandbox.</summary>
    public const string InjectedFault = "-99";
    /// <summary>423: account locked (BLOCAGE_PAR_3_MOTS_DE_PASSE_ERRONNES or COMPTE_GELE).</summary>
    public const string Locked = "-44";
}

internal static class Errors
{
    public static IResult Result(int status, string code, string message, string? field = null) =>
        Results.Json(new ApiErrorBody([new ApiError(code, message, field)]), statusCode: status);

    public static IResult Unauthorized(string message) => Result(401, SandboxErrorCodes.Unauthorized, message);

    public static IResult Forbidden(string message) => Result(403, SandboxErrorCodes.Forbidden, message);

    public static IResult BadRequest(string message, string? field = null) => Result(400, SandboxErrorCodes.BadRequest, message, field);

    public static IResult NotFound(string code, string message) => Result(404, code, message);

    public static IResult Unprocessable(string code, string message, string? field = null) => Result(422, code, message, field);
}
