using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Middleware.Sandbox.Storage;
using Middleware.Sandbox.Vem;

namespace Middleware.Sandbox.Whiz;

internal sealed record WhizLine(
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("libelle")] string? Libelle,
    [property: JsonPropertyName("quantite")] int Quantite,
    [property: JsonPropertyName("commentaire")] string? Commentaire);

internal sealed record WhizOrderRequest(
    [property: JsonPropertyName("numeroTicket")] string? NumeroTicket,
    [property: JsonPropertyName("idTypeDistribution")] int? IdTypeDistribution,
    [property: JsonPropertyName("heure")] string? Heure,
    [property: JsonPropertyName("lignes")] IReadOnlyList<WhizLine>? Lignes);

internal sealed record WhizStatusRequest([property: JsonPropertyName("statut")] string? Statut);

/// <summary>Whiz kitchen display and queue (§9): orders with a daily call number per distribution unit, status updates.</summary>
internal static class WhizEndpoints
{
    private static readonly HashSet<string> Statuses = ["EN_PREPARATION", "PRETE", "SERVIE", "ANNULEE"];
    private static readonly HashSet<string> Final = ["SERVIE", "ANNULEE"];

    public static void Map(IEndpointRouteBuilder app, SandboxState s)
    {
        var log = s.LoggerFactory.CreateLogger("Middleware.Sandbox.Whiz");

        app.MapPost("/whiz/v1/{crous:int}/commandes/{c2:int}/{ug:int}/{ru:int}/{ud:int}", async (HttpContext ctx, int crous, int c2, int ug, int ru, int ud) =>
        {
            var unit = $"{c2}-{ug}-{ru}-{ud}";
            if (Authorize(ctx, s, crous, c2, unit) is { } denied)
            {
                return denied;
            }

            WhizOrderRequest? req;
            string json;
            using (var reader = new StreamReader(ctx.Request.Body))
            {
                json = await reader.ReadToEndAsync(ctx.RequestAborted);
            }

            try
            {
                req = JsonSerializer.Deserialize<WhizOrderRequest>(json);
            }
            catch (JsonException)
            {
                return Errors.BadRequest("Body is not JSON {numeroTicket, idTypeDistribution, heure, lignes}.");
            }

            if (string.IsNullOrWhiteSpace(req?.NumeroTicket) || req.Lignes is not { Count: > 0 } lines)
            {
                return Errors.BadRequest("numeroTicket and at least one line are mandatory.");
            }

            if (req.IdTypeDistribution is not (1 or 2))
            {
                return Errors.BadRequest("idTypeDistribution is 1 (on site) or 2 (take-away).", "idTypeDistribution");
            }

            if (lines.Any(l => l.Quantite < 1 || !s.Seed.ArticleExists(l.CodeArticle)))
            {
                return Errors.BadRequest("Every line has a known codeArticle and a quantity of at least 1.", "lignes");
            }

            var now = s.Time.GetUtcNow();
            var dayStart = new DateTimeOffset(s.LocalNow.Date, s.LocalNow.Offset).ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
            var created = await s.Db.WriteAsync((c, tx) =>
            {
                var existing = c.QueryFirstOrDefault<(long Id, long Appel)>("SELECT id_commande, numero_appel FROM whiz_orders WHERE app_id=@unit AND numero_ticket=@NumeroTicket",
                    new { unit, req.NumeroTicket }, tx);
                if (existing.Id != 0)
                {
                    return (existing.Id, existing.Appel, false);
                }

                var appel = (c.ExecuteScalar<long>("SELECT COUNT(*) FROM whiz_orders WHERE app_id=@unit AND created_at >= @dayStart", new { unit, dayStart }, tx) % 999) + 1;
                var id = c.ExecuteScalar<long>("""
                    INSERT INTO whiz_orders(app_id, numero_ticket, numero_appel, statut, body, created_at, updated_at)
                    VALUES (@unit, @NumeroTicket, @appel, 'EN_ATTENTE', @json, @now, @now); SELECT last_insert_rowid();
                    """, new { unit, req.NumeroTicket, appel, json, now = now.ToString("O", CultureInfo.InvariantCulture) }, tx);
                return (id, appel, true);
            }, ctx.RequestAborted);
            log.LogInformation("Whiz order {IdCommande} for ticket {NumeroTicket} of {Unit}", created.Item1, req.NumeroTicket, unit);
            return Results.Json(new { idCommande = created.Item1.ToString(CultureInfo.InvariantCulture), numeroAppel = (int)created.Item2 }, statusCode: created.Item3 ? 201 : 200);
        });

        app.MapMethods("/whiz/v1/{crous:int}/commandes/{idCommande}", ["PATCH"], async (HttpContext ctx, int crous, string idCommande) =>
        {
            WhizStatusRequest? req;
            try
            {
                req = await ctx.Request.ReadFromJsonAsync<WhizStatusRequest>(ctx.RequestAborted);
            }
            catch (JsonException)
            {
                return Errors.BadRequest("Body is not JSON {statut}.");
            }

            if (!long.TryParse(idCommande, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return Errors.NotFound(SandboxErrorCodes.Unknown, "Commande inconnue.");
            }

            string? unit;
            await using (var c = s.Db.Read())
            {
                unit = await c.ExecuteScalarAsync<string>("SELECT app_id FROM whiz_orders WHERE id_commande=@id", new { id });
            }

            if (unit is null)
            {
                return Errors.NotFound(SandboxErrorCodes.Unknown, "Commande inconnue.");
            }

            if (Authorize(ctx, s, crous, int.Parse(unit.Split('-')[0], CultureInfo.InvariantCulture), unit) is { } denied)
            {
                return denied;
            }

            if (req?.Statut is not { } statut || !Statuses.Contains(statut))
            {
                return Errors.Unprocessable(SandboxErrorCodes.BadRequest, "statut is EN_PREPARATION, PRETE, SERVIE or ANNULEE.", "statut");
            }

            var now = s.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            var previous = await s.Db.WriteAsync((c, tx) =>
            {
                var current = c.ExecuteScalar<string>("SELECT statut FROM whiz_orders WHERE id_commande=@id", new { id }, tx)!;
                if (!Final.Contains(current) || current == statut)
                {
                    c.Execute("UPDATE whiz_orders SET statut=@statut, updated_at=@now WHERE id_commande=@id", new { statut, now, id }, tx);
                }

                return current;
            }, ctx.RequestAborted);
            if (Final.Contains(previous) && previous != statut)
            {
                return Errors.Unprocessable(SandboxErrorCodes.BadRequest, $"Commande déjà {previous}.", "statut");
            }

            return Results.Json(new { idCommande, statut });
        });
    }

    internal static async Task<IReadOnlyList<StoredWhizOrder>> ListAsync(SandboxState s, CancellationToken ct)
    {
        await using var c = s.Db.Read();
        var rows = await c.QueryAsync<(long Id, string App, string Numero, long Appel, string Statut, string Body)>(new CommandDefinition(
            "SELECT id_commande, app_id, numero_ticket, numero_appel, statut, body FROM whiz_orders ORDER BY id_commande", cancellationToken: ct));
        return [.. rows.Select(r => new StoredWhizOrder(r.Id, r.App, r.Numero, (int)r.Appel, r.Statut, r.Body))];
    }

    /// <summary>A VEM token (either scheme) of a till of this distribution unit, or an OAuth token.</summary>
    private static IResult? Authorize(HttpContext ctx, SandboxState s, int crous, int pathCrous, string unit)
    {
        var check = s.Tokens.Validate(ctx.Request.Headers.Authorization.ToString());
        if (check.State == TokenState.Revoked)
        {
            return Errors.Forbidden("Installation key revoked.");
        }

        if (check.State != TokenState.Valid)
        {
            return Errors.Unauthorized("Token missing, invalid or expired.");
        }

        if (crous != pathCrous || !s.Seed.PointsOfSale.Any(p => p.AppId.StartsWith(unit + "-", StringComparison.Ordinal)))
        {
            return Errors.NotFound(SandboxErrorCodes.Unknown, $"Unknown distribution unit {unit}.");
        }

        return check.Claims!.AppId is { } appId && !appId.StartsWith(unit + "-", StringComparison.Ordinal)
            ? Errors.Forbidden($"This token belongs to point of sale {appId}, not to unit {unit}.")
            : null;
    }
}
