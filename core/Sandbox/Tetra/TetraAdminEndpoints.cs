using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Sandbox.Tetra;

/// <summary>A change of the simulated Tetra's behaviour: absent fields keep their current value.</summary>
internal sealed record TetraBehaviourRequest(
    [property: JsonPropertyName("card")] string? Card,
    [property: JsonPropertyName("payment")] string? Payment,
    [property: JsonPropertyName("line")] string? Line,
    [property: JsonPropertyName("slowDelayMs")] int? SlowDelayMs,
    [property: JsonPropertyName("samId")] string? SamId,
    [property: JsonPropertyName("numeroApplicatif")] string? NumeroApplicatif,
    [property: JsonPropertyName("idSupport")] string? IdSupport,
    [property: JsonPropertyName("paymentReport")] string? PaymentReport);

/// <summary>
/// <c>GET</c> and <c>POST /_sandbox/tetra/behaviour</c>: reads and switches the behaviour of the simulated Tetra the
/// sandbox was given (<see cref="SandboxOptions.Tetra"/>; 404 without one), e.g.
/// <c>{ "card": "CardAbsent", "line": "Slow", "slowDelayMs": 2000 }</c>.
/// </summary>
internal static class TetraAdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ITetraTerminalControl? tetra)
    {
        var g = app.MapGroup("/_sandbox/tetra");
        g.MapGet("/behaviour", () => tetra is null ? NoTetra() : Results.Json(Describe(tetra.Behaviour)));
        g.MapPost("/behaviour", (TetraBehaviourRequest request) =>
        {
            if (tetra is null)
            {
                return NoTetra();
            }

            try
            {
                var behaviour = Apply(tetra.Behaviour, request);
                tetra.SetBehaviour(behaviour);
                return Results.Json(Describe(behaviour));
            }
            catch (ArgumentException e)
            {
                return Errors.BadRequest(e.Message);
            }
        });
    }

    private static TetraBehaviour Apply(TetraBehaviour current, TetraBehaviourRequest request) => current with
    {
        Card = Parse(request.Card, "card", current.Card),
        Payment = Parse(request.Payment, "payment", current.Payment),
        Line = Parse(request.Line, "line", current.Line),
        SlowDelay = request.SlowDelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : current.SlowDelay,
        SamId = request.SamId ?? current.SamId,
        NumeroApplicatif = request.NumeroApplicatif ?? current.NumeroApplicatif,
        IdSupport = request.IdSupport ?? current.IdSupport,
        PaymentReport = request.PaymentReport ?? current.PaymentReport,
    };

    private static T Parse<T>(string? value, string field, T current) where T : struct, Enum
    {
        if (value is null)
        {
            return current;
        }

        // Names only: TryParse alone would also take "7" for a value no member has.
        return Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, value, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<T>(name)
            : throw new ArgumentException($"{field} must be one of {string.Join(", ", Enum.GetNames<T>())}.");
    }

    private static object Describe(TetraBehaviour b) => new
    {
        card = b.Card.ToString(),
        payment = b.Payment.ToString(),
        line = b.Line.ToString(),
        slowDelayMs = (long)b.SlowDelay.TotalMilliseconds,
        samId = b.SamId,
        numeroApplicatif = b.NumeroApplicatif,
        idSupport = b.IdSupport,
        paymentReport = b.PaymentReport,
    };

    private static IResult NoTetra() => Errors.Result(404, SandboxErrorCodes.Unknown, "This sandbox runs no simulated Tetra (SandboxOptions.Tetra).");
}
