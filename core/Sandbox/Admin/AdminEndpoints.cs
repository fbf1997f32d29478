using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox.Faults;
using Middleware.Sandbox.Izly;
using Middleware.Sandbox.IzlyPay;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Whiz;

namespace Middleware.Sandbox.Admin;

internal sealed record QrRequest(
    [property: JsonPropertyName("identifier")] string? Identifier,
    [property: JsonPropertyName("timestamp")] DateTimeOffset? Timestamp);

internal sealed record BalanceRequest([property: JsonPropertyName("balance")] long Balance);

internal sealed record StatusRequest(
    [property: JsonPropertyName("accountStatus")] string AccountStatus,
    [property: JsonPropertyName("blockingStatus")] string BlockingStatus);

/// <summary>
/// Test and demo controls under <c>/_sandbox</c> (loopback only, never subject to faults): seed, faults, token expiry,
/// key revocation, QR issuance, stored tickets, transactions, web payments and Whiz orders.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxState s)
    {
        var g = app.MapGroup("/_sandbox");
        g.MapGet("/health", () => Results.Json(new { status = "ok" }));
        g.MapGet("/seed", () => Results.Json(new
        {
            pointsOfSale = s.Seed.PointsOfSale.Select(p => new { appId = p.AppId, label = p.Label, installationKey = p.InstallationKey, cleIzly = p.CleIzly, keyRevoked = p.KeyRevoked }),
            oauth = new { clientId = SandboxSeed.OAuthClientId, clientSecret = SandboxSeed.OAuthClientSecret },
            rightHolders = s.Seed.RightHolders.Select(h => new
            {
                identifier = h.Identifier, userPublicId = h.UserPublicId, firstName = h.FirstName, lastName = h.LastName, email = h.Email, password = h.Password,
                accountStatus = h.AccountStatus, blockingStatus = h.BlockingStatus, dueDate = h.DueDate, anonymised = h.Anonymised,
                cards = h.Cards.Select(c => new { idSupport = c.IdSupport, numeroApplicatif = c.NumeroApplicatif, invalidated = c.Invalidated }),
            }),
            currentPeriod = s.Seed.CurrentPeriod,
            futurePeriod = s.Seed.FuturePeriod,
        }));

        g.MapGet("/faults", () => Results.Json(s.Faults.Active));
        g.MapPost("/faults", (FaultRule rule) =>
        {
            try
            {
                return Results.Json(new { id = s.Faults.Add(rule) }, statusCode: 201);
            }
            catch (ArgumentException e)
            {
                return Errors.BadRequest(e.Message);
            }
        });
        g.MapDelete("/faults", () =>
        {
            s.Faults.Clear();
            return Results.NoContent();
        });
        g.MapGet("/faults/injected", () => Results.Json(s.Faults.Injected));
        g.MapDelete("/faults/injected", () =>
        {
            s.Faults.ClearInjected();
            return Results.NoContent();
        });
        g.MapDelete("/faults/{id}", (string id) => s.Faults.Remove(id) ? Results.NoContent() : Results.NotFound());

        g.MapPost("/tokens/expire", async (CancellationToken ct) =>
        {
            await s.ExpireAllTokensAsync(ct);
            return Results.NoContent();
        });
        g.MapPost("/keys/{appId}/revoke", (string appId, CancellationToken ct) => SetRevoked(s, appId, true, ct));
        g.MapDelete("/keys/{appId}/revoke", (string appId, CancellationToken ct) => SetRevoked(s, appId, false, ct));

        g.MapPost("/qrcodes", (QrRequest req) =>
        {
            if (req.Identifier is null || !s.Seed.RightHolders.Any(h => h.Identifier == req.Identifier))
            {
                return Errors.NotFound(SandboxErrorCodes.UnknownClient, "Unknown right holder.");
            }

            var text = s.QrCodes.Issue(req.Identifier, req.Timestamp ?? s.Time.GetUtcNow());
            return Results.Json(new { text, base64 = SandboxServer.EncodeQrCode(text) });
        });

        g.MapGet("/rightholders/{identifier}", (string identifier) =>
        {
            using var c = s.Db.Read();
            return IzlyEndpoints.LoadHolder(c, identifier, null) is { } h ? Results.Json(h.ToWire()) : Results.NotFound();
        });
        g.MapPut("/rightholders/{identifier}/balance", async (string identifier, BalanceRequest req, CancellationToken ct) =>
        {
            var n = await s.Db.WriteAsync((c, tx) => c.Execute("UPDATE right_holders SET balance=@Balance WHERE identifier=@identifier", new { req.Balance, identifier }, tx), ct);
            return n == 0 ? Results.NotFound() : Results.NoContent();
        });
        g.MapPut("/rightholders/{identifier}/statuses", async (string identifier, StatusRequest req, CancellationToken ct) =>
        {
            var n = await s.Db.WriteAsync((c, tx) => c.Execute("UPDATE right_holders SET account_status=@AccountStatus, blocking_status=@BlockingStatus WHERE identifier=@identifier",
                new { req.AccountStatus, req.BlockingStatus, identifier }, tx), ct);
            return n == 0 ? Results.NotFound() : Results.NoContent();
        });

        g.MapGet("/tickets", async (string? appId, CancellationToken ct) =>
        {
            await using var c = s.Db.Read();
            var rows = await c.QueryAsync<(string AppId, string Id, string Numero, long Online, string Received, string Body)>(new CommandDefinition(
                "SELECT app_id, id_ticket_entete, numero_ticket, vers_commande_en_ligne, received_at, body FROM tickets WHERE @appId IS NULL OR app_id=@appId ORDER BY rowid",
                new { appId }, cancellationToken: ct));
            return Results.Json(rows.Select(r => new
            {
                appId = r.AppId, idTicketEntete = r.Id, numeroTicket = r.Numero, versCommandeEnLigne = r.Online != 0, receivedAt = r.Received,
                ticket = System.Text.Json.JsonDocument.Parse(r.Body).RootElement,
            }));
        });
        g.MapGet("/transactions", async (CancellationToken ct) =>
        {
            await using var c = s.Db.Read();
            var rows = await c.QueryAsync<TransactionRow>(new CommandDefinition("SELECT * FROM transactions ORDER BY id", cancellationToken: ct));
            return Results.Json(rows.Select(SandboxServer.ToStored));
        });
        g.MapGet("/webpayments", async (CancellationToken ct) => Results.Json(await IzlyPayEndpoints.ListAsync(s, ct)));
        g.MapGet("/whiz", async (CancellationToken ct) => Results.Json(await WhizEndpoints.ListAsync(s, ct)));
    }

    private static async Task<IResult> SetRevoked(SandboxState s, string appId, bool revoked, CancellationToken ct)
    {
        if (!PointOfSaleId.TryParse(appId, out _) || !s.IsKnownPointOfSale(appId))
        {
            return Results.NotFound();
        }

        await s.SetKeyRevokedAsync(appId, revoked, ct);
        return Results.NoContent();
    }
}
