using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;

namespace Middleware.Sandbox.Vem;

internal sealed record AuthenticateRequest(
    [property: JsonPropertyName("env")] string? Env,
    [property: JsonPropertyName("appId")] string? AppId,
    [property: JsonPropertyName("appSecret")] string? AppSecret);

internal sealed record TicketAccepted(
    [property: JsonPropertyName("idTicketEntete")] string IdTicketEntete,
    [property: JsonPropertyName("statut")] string Statut);

/// <summary>VEM: authentication (§2), reference resources (§3), ticket upload (§4).</summary>
internal static class VemEndpoints
{
    private static readonly HashSet<string> Environments = ["PRD", "PPD"];

    public static void Map(IEndpointRouteBuilder app, SandboxState s)
    {
        var log = s.LoggerFactory.CreateLogger("Middleware.Sandbox.Vem");

        // §2.1 installation key.
        app.MapPost("/vem/v1/authenticate", async (HttpContext ctx) =>
        {
            AuthenticateRequest? req;
            try
            {
                req = await ctx.Request.ReadFromJsonAsync<AuthenticateRequest>(ctx.RequestAborted);
            }
            catch (JsonException)
            {
                return Errors.BadRequest("Body is not JSON {env, appId, appSecret}.");
            }

            if (req?.AppId is null || req.AppSecret is null || req.Env is null)
            {
                return Errors.BadRequest("env, appId and appSecret are mandatory.");
            }

            if (!Environments.Contains(req.Env))
            {
                return Errors.BadRequest("env is PRD or PPD.", "env");
            }

            if (!s.InstallationKeyMatches(req.AppId, req.AppSecret))
            {
                log.LogInformation("VEM authentication refused for {AppId}: bad key or key of another point of sale", req.AppId);
                return Errors.Unauthorized("Bad installation key, or key of another point of sale.");
            }

            if (s.Tokens.IsRevoked(req.AppId))
            {
                log.LogInformation("VEM authentication refused for {AppId}: key revoked", req.AppId);
                return Errors.Forbidden("Installation key revoked: generate a new one in VEM.");
            }

            var (token, expires) = s.Tokens.Issue(req.AppId, req.AppId, req.Env, "caisse", s.Options.VemTokenLifetime);
            ctx.Response.Headers.Authorization = token;
            log.LogInformation("VEM token issued for {AppId}, expires {Expires}", req.AppId, expires);
            return Results.Json(new { token, expiresIn = (long)s.Options.VemTokenLifetime.TotalSeconds });
        });

        // §2.2 OAuth2 client credentials.
        app.MapPost("/api/oauth/token", (HttpContext ctx) =>
        {
            var grant = ctx.Request.Query["grant_type"].ToString();
            if (grant.Length == 0 && ctx.Request.HasFormContentType)
            {
                grant = ctx.Request.Form["grant_type"].ToString();
            }

            if (grant != "client_credentials")
            {
                return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
            }

            if (!TryBasic(ctx, out var clientId, out var secret)
                || clientId != Seed.SandboxSeed.OAuthClientId || secret != Seed.SandboxSeed.OAuthClientSecret)
            {
                ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"sandbox\"";
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            var (token, _) = s.Tokens.Issue(clientId, null, "PRD", "vem", s.Options.OAuthTokenLifetime);
            log.LogInformation("OAuth token issued for client {ClientId}", clientId);
            return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = (long)s.Options.OAuthTokenLifetime.TotalSeconds });
        });

        // §3 reference resources.
        app.MapGet("/vem/v1/{crous:int}/{resource}/{c2:int}/{ug:int}/{ru:int}/{ud:int}/{caisse:int}",
            (HttpContext ctx, int crous, string resource, int c2, int ug, int ru, int ud, int caisse) =>
            {
                var pos = new PointOfSaleId(c2, ug, ru, ud, caisse);
                if (Authorize(ctx, s, crous, pos) is { } denied)
                {
                    return denied;
                }

                var q = ctx.Request.Query;
                var kiosks = q["versBornesPrepaiement"].ToString() == "1";
                var future = q["periodesFutures"].ToString() == "1";
                var seed = s.Seed;
                var kioskArticles = seed.Articles.Where(a => a.VersBornesPrepaiement).Select(a => a.CodeArticle).ToHashSet();
                return resource switch
                {
                    "caisse" => Results.Json(new
                    {
                        idCrous = pos.Crous, idUg = pos.Ug, idRu = pos.Ru, idUd = pos.Ud, idCaisse = pos.Caisse,
                        libelle = seed.PointOfSale(pos).Label, cleIzly = s.CleIzly(pos.ToString()), idLogiciel = Seed.SandboxSeed.IdLogiciel,
                        dernierTicket = LastTicket(s, pos.ToString()),
                    }),
                    "tva" => Results.Json(seed.Tva),
                    "articles" => Results.Json(kiosks ? seed.Articles.Where(a => a.VersBornesPrepaiement) : seed.Articles),
                    "societes" => Results.Json(seed.Societes),
                    "societes-tarifs" => Results.Json(seed.SocietesTarifs),
                    "periodes" => Results.Json(seed.Periodes),
                    "societes-tarifs-periode" => Results.Json(seed.SocietesTarifsPeriode),
                    "articles-societes-tarifs-periodes" => Results.Json(seed.Prix.Where(p =>
                        (future || p.IdPeriode == seed.CurrentPeriod.IdPeriode) && (!kiosks || kioskArticles.Contains(p.CodeArticle)))),
                    "droits-entree-types" => Results.Json(seed.DroitsEntreeTypes),
                    "droits-entree" => Results.Json(seed.DroitsEntree),
                    "subventions" => Results.Json(seed.Subventions),
                    _ => Errors.NotFound(SandboxErrorCodes.Unknown, $"Unknown resource '{resource}'."),
                };
            });

        // §4 ticket upload.
        app.MapPost("/vem/v1/{crous:int}/remontee-caisse/tickets/{c2:int}/{ug:int}/{ru:int}/{ud:int}/{caisse:int}",
            async (HttpContext ctx, int crous, int c2, int ug, int ru, int ud, int caisse) =>
            {
                var pos = new PointOfSaleId(c2, ug, ru, ud, caisse);
                if (Authorize(ctx, s, crous, pos) is { } denied)
                {
                    return denied;
                }

                var online = ctx.Request.Query["versCommandeEnLigne"].ToString() == "1";
                string json;
                using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
                {
                    json = await reader.ReadToEndAsync(ctx.RequestAborted);
                }

                VemTicket? ticket;
                try
                {
                    ticket = JsonSerializer.Deserialize<VemTicket>(json, VemJson.Options);
                }
                catch (JsonException e)
                {
                    return Errors.BadRequest($"Ticket is not valid JSON for the §4 shape: {e.Message}");
                }

                if (ticket is null)
                {
                    return Errors.BadRequest("Empty ticket.");
                }

                var violations = TicketChecks.Validate(ticket, online, s);
                if (violations.Count > 0)
                {
                    log.LogInformation("Ticket {IdTicketEntete} of {AppId} refused: {Rules}", ticket.IdTicketEntete, pos, string.Join(",", violations.Select(v => v.Rule)));
                    return Results.Json(new ApiErrorBody([.. violations.Select(v =>
                        new ApiError(SandboxErrorCodes.IncoherentTicket, $"Ticket incohérent: {v}", v.Rule))]), statusCode: 422);
                }

                var appId = pos.ToString();
                if (Faults.TicketRefusalFault.TryRefuse(s, appId, ticket, ctx.Request.Path.Value ?? "", log) is { } injected)
                {
                    return injected;
                }

                var received = s.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
                string? storedHash = null;
                TicketViolation? refundRefused = null;
                var outcome = await s.Db.WriteAsync((c, tx) =>
                {
                    // [designed] A new refund (RB) must name a sale of this point of sale and not exceed it.
                    if (ticket.CodeEvenement == CodeEvenements.Refund
                        && c.ExecuteScalar<long>("SELECT COUNT(*) FROM tickets WHERE app_id=@appId AND id_ticket_entete=@id", new { appId, id = ticket.IdTicketEntete }, tx) == 0
                        && RefundChecks.Check(c, tx, appId, ticket) is { } refused)
                    {
                        refundRefused = refused;
                        return 0;
                    }

                    // One statement on the usual path; a conflict is then told apart: same id (duplicate) or same number (clash).
                    if (c.Execute("INSERT OR IGNORE INTO tickets(app_id, id_ticket_entete, numero_ticket, vers_commande_en_ligne, received_at, body) VALUES (@appId, @id, @n, @online, @received, @json)",
                        new { appId, id = ticket.IdTicketEntete, n = ticket.NumeroTicket, online, received, json }, tx) == 1)
                    {
                        return 201;
                    }

                    var stored = c.ExecuteScalar<string?>("SELECT body FROM tickets WHERE app_id=@appId AND id_ticket_entete=@id", new { appId, id = ticket.IdTicketEntete }, tx);
                    if (stored is null)
                    {
                        return 422;
                    }

                    // [designed] A repeat is 200 only when it is the same ticket; the same id with another body is a
                    // numbering fault of the till (e.g. a lost store restarting at 1) and must never pass as a success.
                    storedHash = BodyHash(stored);
                    return storedHash == BodyHash(json) ? 200 : 409;
                }, ctx.RequestAborted);

                if (refundRefused is { } r)
                {
                    log.LogInformation("Refund ticket {IdTicketEntete} of {AppId} refused: {Rule}", ticket.IdTicketEntete, appId, r.Rule);
                    return Errors.Unprocessable(SandboxErrorCodes.IncoherentTicket, $"Ticket incohérent: {r}", r.Rule);
                }

                if (outcome == 409)
                {
                    log.LogWarning("Ticket {IdTicketEntete} of {AppId} refused: another ticket already has this idTicketEntete", ticket.IdTicketEntete, appId);
                    return Results.Json(new TicketConflictBody(
                        [new ApiError(SandboxErrorCodes.TicketIdConflict,
                            $"idTicketEntete {ticket.IdTicketEntete} already belongs to another ticket of this point of sale (stored body {storedHash}).", "idTicketEntete")],
                        storedHash!), statusCode: 409);
                }

                if (outcome == 422)
                {
                    return Errors.Unprocessable(SandboxErrorCodes.IncoherentTicket,
                        $"Ticket incohérent: {TicketChecks.NumeroTicketUnique}: numeroTicket {ticket.NumeroTicket} already belongs to another ticket of this point of sale.",
                        TicketChecks.NumeroTicketUnique);
                }

                if (outcome == 201)
                {
                    log.LogInformation("Ticket {IdTicketEntete} ({NumeroTicket}) of {AppId} stored", ticket.IdTicketEntete, ticket.NumeroTicket, appId);
                }

                return Results.Json(new TicketAccepted(ticket.IdTicketEntete, "INTEGRE"), statusCode: outcome);
            });
    }

    /// <summary>The last ticket held for a point of sale (highest idTicketEntete), or null.</summary>
    private static object? LastTicket(SandboxState s, string appId)
    {
        using var c = s.Db.Read();
        var last = c.QueryFirstOrDefault<(string Id, string Numero)?>(
            "SELECT id_ticket_entete, numero_ticket FROM tickets WHERE app_id=@appId ORDER BY CAST(id_ticket_entete AS INTEGER) DESC LIMIT 1", new { appId });
        return last is { } l ? new { idTicketEntete = l.Id, numeroTicket = l.Numero } : null;
    }

    /// <summary>SHA-256 of a ticket body in a canonical form (re-serialized, so whitespace does not count).</summary>
    internal static string BodyHash(string json)
    {
        string canonical;
        try
        {
            canonical = System.Text.Json.Nodes.JsonNode.Parse(json)?.ToJsonString() ?? json;
        }
        catch (JsonException)
        {
            canonical = json;
        }

        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>[designed] 409 body: the §7 errors plus the stored ticket's hash, so the till can tell which body VEM holds.</summary>
    private sealed record TicketConflictBody(
        [property: JsonPropertyName("errors")] IReadOnlyList<ApiError> Errors,
        [property: JsonPropertyName("empreinteCorpsStocke")] string StoredBodyHash);

    /// <summary>Checks the VEM token (either scheme) for a point of sale; null when allowed.</summary>
    private static IResult? Authorize(HttpContext ctx, SandboxState s, int crous, PointOfSaleId pos)
    {
        var check = s.Tokens.Validate(ctx.Request.Headers.Authorization.ToString());
        switch (check.State)
        {
            case TokenState.Missing:
                return Errors.Unauthorized("Authorization header missing.");
            case TokenState.Invalid:
                return Errors.Unauthorized("Token invalid.");
            case TokenState.Expired:
                return Errors.Unauthorized("Token expired: authenticate again.");
            case TokenState.Revoked:
                return Errors.Forbidden("Installation key revoked.");
        }

        if (crous != pos.Crous || !s.IsKnownPointOfSale(pos.ToString()))
        {
            return Errors.NotFound(SandboxErrorCodes.Unknown, $"Unknown point of sale {pos}.");
        }

        if (check.Claims!.AppId is { } appId && appId != pos.ToString())
        {
            return Errors.Forbidden($"This token belongs to point of sale {appId}, not {pos}.");
        }

        return null;
    }

    internal static bool TryBasic(HttpContext ctx, out string user, out string password)
    {
        user = password = "";
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }

            user = decoded[..colon];
            password = decoded[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
