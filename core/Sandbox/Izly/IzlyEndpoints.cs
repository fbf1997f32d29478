using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Vem;

namespace Middleware.Sandbox.Izly;

/// <summary>A right holder on the wire (§5).</summary>
public sealed record IzlyRightHolder(
    [property: JsonPropertyName("identifier")] string Identifier,
    [property: JsonPropertyName("firstName")] string FirstName,
    [property: JsonPropertyName("lastName")] string LastName,
    [property: JsonPropertyName("balance")] long Balance,
    [property: JsonPropertyName("idCompanyRate")] int IdCompanyRate,
    [property: JsonPropertyName("idRate")] int IdRate,
    [property: JsonPropertyName("dueDate")] DateTimeOffset DueDate,
    [property: JsonPropertyName("accountStatus")] string AccountStatus,
    [property: JsonPropertyName("blockingStatus")] string BlockingStatus,
    [property: JsonPropertyName("idCrous")] int IdCrous,
    [property: JsonPropertyName("rneOrgCode")] string RneOrgCode,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("loyaltyPoints")] int LoyaltyPoints);

/// <summary>The result of a debit (§5).</summary>
public sealed record IzlyOperation(
    [property: JsonPropertyName("idTransactionIzly")] string IdTransactionIzly,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("balanceAfter")] long BalanceAfter,
    [property: JsonPropertyName("operationDate")] DateTimeOffset OperationDate);

internal sealed record DebitRequest(
    [property: JsonPropertyName("amount")] long? Amount,
    [property: JsonPropertyName("clientOrderId")] string? ClientOrderId,
    [property: JsonPropertyName("pointOfSale")] string? PointOfSale,
    [property: JsonPropertyName("samId")] string? SamId);

internal sealed class HolderRow
{
    public string Identifier { get; set; } = "";
    public string First_Name { get; set; } = "";
    public string Last_Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string Password { get; set; } = "";
    public long Balance { get; set; }
    public int Id_Company_Rate { get; set; }
    public int Id_Rate { get; set; }
    public string Due_Date { get; set; } = "";
    public string Account_Status { get; set; } = "";
    public string Blocking_Status { get; set; } = "";
    public bool Anonymised { get; set; }
    public int Loyalty_Points { get; set; }

    public IzlyRightHolder ToWire() => new(Identifier, First_Name, Last_Name, Balance, Id_Company_Rate, Id_Rate,
        DateTimeOffset.Parse(Due_Date, CultureInfo.InvariantCulture), Account_Status, Blocking_Status, SandboxSeed.CrousId, "0692437Z", Email, Loyalty_Points);
}

internal sealed class TransactionRow
{
    public long Id { get; set; }
    public string App_Id { get; set; } = "";
    public string Client_Order_Id { get; set; } = "";
    public string Identifier { get; set; } = "";
    public long Amount { get; set; }
    public int Status { get; set; }
    public long Balance_After { get; set; }
    public string Operation_Date { get; set; } = "";
    public string Means { get; set; } = "";
    public string? Id_Support { get; set; }
    public string? Sam_Id { get; set; }
    public string? Cancelled_At { get; set; }

    public IzlyOperation ToWire() => new(Id.ToString(CultureInfo.InvariantCulture), Status, Balance_After, DateTimeOffset.Parse(Operation_Date, CultureInfo.InvariantCulture));
}

/// <summary>The Izly till API (§5) and QR codes (§6).</summary>
internal static class IzlyEndpoints
{
    public const int StatusCompleted = 1;
    public const int StatusCancelled = 5;
    internal const string HolderColumns = "identifier, first_name, last_name, email, password, balance, id_company_rate, id_rate, due_date, account_status, blocking_status, anonymised, loyalty_points";

    public static void Map(IEndpointRouteBuilder app, SandboxState s)
    {
        var log = s.LoggerFactory.CreateLogger("Middleware.Sandbox.Izly");
        OperationsEndpoint.Map(app, s);

        app.MapGet("/api/rightholders/searchSupport", (HttpContext ctx, string? idSupport, string? numeroApplicatif) =>
        {
            if (Authorize(ctx, s) is not { } appId)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic appId:cleIzly and AppIdentifier).");
            }

            if (string.IsNullOrWhiteSpace(idSupport))
            {
                return Errors.BadRequest("idSupport is mandatory.", "idSupport");
            }

            using var c = s.Db.Read();
            var card = c.QueryFirstOrDefault<(string Identifier, string Numero, long Invalidated)>(
                "SELECT identifier, numero_applicatif, invalidated FROM supports WHERE id_support=@idSupport", new { idSupport });
            if (card.Identifier is null || (numeroApplicatif is not null && !string.Equals(numeroApplicatif, card.Numero, StringComparison.OrdinalIgnoreCase)))
            {
                return Errors.NotFound(SandboxErrorCodes.UnknownClient, "Client inconnu : support inconnu.");
            }

            if (card.Invalidated != 0)
            {
                return Errors.Unprocessable(SandboxErrorCodes.CardInvalidated, "Carte déjà invalidée.");
            }

            var holder = LoadHolder(c, card.Identifier, null)!;
            log.LogInformation("searchSupport by {AppId}: holder {Identifier}", appId, holder.Identifier);
            return holder.Anonymised ? Errors.Unprocessable(SandboxErrorCodes.Anonymised, "Client anonymisé.") : Results.Json(holder.ToWire());
        });

        app.MapGet("/api/rightholders/searchQRCode", (HttpContext ctx, string? qrCode) =>
        {
            if (Authorize(ctx, s) is null)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic appId:cleIzly and AppIdentifier).");
            }

            if (DecodeQr(qrCode) is not { } text)
            {
                return Errors.Unprocessable(SandboxErrorCodes.QrInvalid, "QR code invalide : not base64 text.", "qrCode");
            }

            var check = s.QrCodes.Check(text);
            if (QrError(check) is { } error)
            {
                return error;
            }

            using var c = s.Db.Read();
            var holder = LoadHolder(c, check.Identifier!, null)!;
            return holder.Anonymised ? Errors.Unprocessable(SandboxErrorCodes.Anonymised, "Client anonymisé.") : Results.Json(holder.ToWire());
        });

        app.MapPost("/api/payments/debit/{type}/{code}", async (HttpContext ctx, string type, string code) =>
        {
            if (Authorize(ctx, s) is not { } appId)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic appId:cleIzly and AppIdentifier).");
            }

            DebitRequest? req;
            try
            {
                req = await ctx.Request.ReadFromJsonAsync<DebitRequest>(ctx.RequestAborted);
            }
            catch (JsonException)
            {
                return Errors.BadRequest("Body is not JSON {amount, clientOrderId, pointOfSale, samId}.");
            }

            if (req?.Amount is not { } amount || amount <= 0)
            {
                return Errors.BadRequest("amount is a positive number of cents.", "amount");
            }

            if (string.IsNullOrWhiteSpace(req.ClientOrderId))
            {
                return Errors.BadRequest("clientOrderId is mandatory.", "clientOrderId");
            }

            if (req.PointOfSale is { } p && p != appId)
            {
                return Errors.BadRequest($"pointOfSale {p} differs from the authenticated point of sale.", "pointOfSale");
            }

            QrCheck? qr = null;
            string? idSupport = null;
            switch (type)
            {
                case "qrcode":
                    if (DecodeQr(code) is not { } text)
                    {
                        return Errors.Unprocessable(SandboxErrorCodes.QrInvalid, "QR code invalide : not base64 text.", "qrCode");
                    }

                    qr = s.QrCodes.Check(text);
                    break;
                case "support":
                    idSupport = code;
                    break;
                default:
                    return Errors.NotFound(SandboxErrorCodes.Unknown, $"Unknown debit type '{type}' (qrcode or support).");
            }

            var now = s.Time.GetUtcNow();
            var outcome = await s.Db.WriteAsync((c, tx) => Debit(c, tx, s, appId, req.ClientOrderId, amount, req.SamId, qr, idSupport, now), ctx.RequestAborted);
            if (outcome.Operation is { } op)
            {
                log.LogInformation("Debit {ClientOrderId} by {AppId}: {Amount} cents, transaction {Transaction}, replay {Replay}", req.ClientOrderId, appId, amount, op.IdTransactionIzly, outcome.Replay);
                return Results.Json(op);
            }

            log.LogInformation("Debit {ClientOrderId} by {AppId} refused: {Code}", req.ClientOrderId, appId, outcome.Code);
            return Errors.Result(outcome.Status, outcome.Code!, outcome.Message!);
        });

        app.MapGet("/api/payments/byClientOrderId/{clientOrderId}", (HttpContext ctx, string clientOrderId) =>
        {
            if (Authorize(ctx, s) is not { } appId)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic appId:cleIzly and AppIdentifier).");
            }

            using var c = s.Db.Read();
            var row = c.QueryFirstOrDefault<TransactionRow>("SELECT * FROM transactions WHERE app_id=@appId AND client_order_id=@clientOrderId", new { appId, clientOrderId });
            return row is null ? Errors.NotFound(SandboxErrorCodes.Unknown, "Opération inconnue.") : Results.Json(row.ToWire());
        });

        app.MapPost("/api/payments/{idTransactionIzly}/cancel", async (HttpContext ctx, string idTransactionIzly) =>
        {
            if (Authorize(ctx, s) is not { } appId)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic appId:cleIzly and AppIdentifier).");
            }

            if (!long.TryParse(idTransactionIzly, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return Errors.NotFound(SandboxErrorCodes.Unknown, "Opération inconnue.");
            }

            var today = s.LocalNow.Date;
            var now = s.Time.GetUtcNow();
            var result = await s.Db.WriteAsync<IResult>((c, tx) =>
            {
                var row = c.QueryFirstOrDefault<TransactionRow>("SELECT * FROM transactions WHERE id=@id AND app_id=@appId", new { id, appId }, tx);
                if (row is null)
                {
                    return Errors.NotFound(SandboxErrorCodes.Unknown, "Opération inconnue.");
                }

                if (row.Status == StatusCancelled)
                {
                    return Results.Json(new { status = StatusCancelled });
                }

                if (row.Status != StatusCompleted)
                {
                    return Errors.Unprocessable(SandboxErrorCodes.NotCancellable, $"Annulation impossible : opération au statut {row.Status}.");
                }

                if (s.ToLocal(DateTimeOffset.Parse(row.Operation_Date, CultureInfo.InvariantCulture)).Date != today)
                {
                    return Errors.Unprocessable(SandboxErrorCodes.NotCancellable, "Annulation impossible : l'opération n'est pas du jour.");
                }

                c.Execute("UPDATE right_holders SET balance = balance + @Amount WHERE identifier=@Identifier", new { row.Amount, row.Identifier }, tx);
                c.Execute("UPDATE transactions SET status=@st, cancelled_at=@at WHERE id=@id", new { st = StatusCancelled, at = now.ToString("O"), id }, tx);
                return Results.Json(new { status = StatusCancelled });
            }, ctx.RequestAborted);
            log.LogInformation("Cancel of transaction {Transaction} by {AppId}", id, appId);
            return result;
        });
    }

    internal sealed record DebitOutcome(IzlyOperation? Operation, bool Replay, int Status, string? Code, string? Message);

    private static DebitOutcome Debit(SqliteConnection c, SqliteTransaction tx, SandboxState s, string appId, string clientOrderId, long amount,
        string? samId, QrCheck? qr, string? idSupport, DateTimeOffset now)
    {
        static DebitOutcome Fail(int status, string code, string message) => new(null, false, status, code, message);

        // Idempotent by clientOrderId: the first result, whatever the new body says.
        var existing = c.QueryFirstOrDefault<TransactionRow>("SELECT * FROM transactions WHERE app_id=@appId AND client_order_id=@clientOrderId", new { appId, clientOrderId }, tx);
        if (existing is not null)
        {
            return new(existing.ToWire(), true, 200, null, null);
        }

        string identifier;
        if (qr is not null)
        {
            if (QrFailure(qr) is { } f)
            {
                return Fail(f.Status, f.Code, f.Message);
            }

            // Re-check reuse inside the write transaction: two tills scanning the same code at once.
            if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM used_qr_codes WHERE qr_hash=@Hash", new { qr.Hash }, tx) > 0)
            {
                return Fail(422, SandboxErrorCodes.QrUsed, "QR code déjà utilisé.");
            }

            identifier = qr.Identifier!;
        }
        else
        {
            var card = c.QueryFirstOrDefault<(string Identifier, long Invalidated)>("SELECT identifier, invalidated FROM supports WHERE id_support=@idSupport", new { idSupport }, tx);
            if (card.Identifier is null)
            {
                return Fail(404, SandboxErrorCodes.UnknownClient, "Client inconnu : support inconnu.");
            }

            if (card.Invalidated != 0)
            {
                return Fail(422, SandboxErrorCodes.CardInvalidated, "Carte déjà invalidée.");
            }

            identifier = card.Identifier;
        }

        var h = LoadHolder(c, identifier, tx)!;
        if (Refusal(h, now) is { } refusal)
        {
            return Fail(refusal.Status, refusal.Code, refusal.Message);
        }

        if (h.Balance < amount)
        {
            return Fail(422, SandboxErrorCodes.InsufficientBalance, $"Solde insuffisant : {h.Balance} centimes disponibles, {amount} demandés.");
        }

        var after = h.Balance - amount;
        c.Execute("UPDATE right_holders SET balance=@after WHERE identifier=@identifier", new { after, identifier }, tx);
        var date = now.ToString("O", CultureInfo.InvariantCulture);
        var id = c.ExecuteScalar<long>("""
            INSERT INTO transactions(app_id, client_order_id, identifier, amount, status, balance_after, operation_date, means, id_support, qr_hash, sam_id)
            VALUES (@appId, @clientOrderId, @identifier, @amount, @status, @after, @date, @means, @idSupport, @qrHash, @samId);
            SELECT last_insert_rowid();
            """,
            new { appId, clientOrderId, identifier, amount, status = StatusCompleted, after, date, means = qr is null ? "support" : "qrcode", idSupport, qrHash = qr?.Hash, samId }, tx);
        if (qr is not null)
        {
            c.Execute("INSERT INTO used_qr_codes(qr_hash, transaction_id, used_at) VALUES (@Hash, @id, @date)", new { qr.Hash, id, date }, tx);
        }

        return new(new IzlyOperation(id.ToString(CultureInfo.InvariantCulture), StatusCompleted, after, now), false, 200, null, null);
    }

    /// <summary>Why a right holder cannot pay, or null.</summary>
    internal static (int Status, string Code, string Message)? Refusal(HolderRow h, DateTimeOffset now)
    {
        if (h.Anonymised)
        {
            return (422, SandboxErrorCodes.Anonymised, "Client anonymisé.");
        }

        if (h.Account_Status != AccountStatuses.Actif)
        {
            return (422, SandboxErrorCodes.AccountNotActive, $"Compte non actif : {h.Account_Status}.");
        }

        switch (h.Blocking_Status)
        {
            case BlockingStatuses.Opposition:
                return (422, SandboxErrorCodes.Opposition, "Porteur en opposition.");
            case BlockingStatuses.TroisMotsDePasse or BlockingStatuses.Gele:
                return (423, SandboxErrorCodes.Locked, $"Compte bloqué : {h.Blocking_Status}.");
        }

        if (DateTimeOffset.Parse(h.Due_Date, CultureInfo.InvariantCulture) < now)
        {
            return (422, SandboxErrorCodes.DueDatePast, "Date de fin de validité dépassée.");
        }

        return null;
    }

    internal static HolderRow? LoadHolder(SqliteConnection c, string identifier, SqliteTransaction? tx) =>
        c.QueryFirstOrDefault<HolderRow>($"SELECT {HolderColumns} FROM right_holders WHERE identifier=@identifier", new { identifier }, tx);

    private static (int Status, string Code, string Message)? QrFailure(QrCheck check) => check.Outcome switch
    {
        QrOutcome.Valid => null,
        QrOutcome.Malformed or QrOutcome.NotYetValid => (422, SandboxErrorCodes.QrInvalid, $"QR code invalide : {check.Detail}"),
        QrOutcome.BadSignature => (422, SandboxErrorCodes.QrInvalid, $"QR code invalide (signature) : {check.Detail}"),
        QrOutcome.UnknownUser => (404, SandboxErrorCodes.UnknownClient, "Client inconnu : utilisateur du QR code inconnu."),
        QrOutcome.Expired => (422, SandboxErrorCodes.QrExpired, $"QR code expiré : {check.Detail}"),
        QrOutcome.Used => (422, SandboxErrorCodes.QrUsed, "QR code déjà utilisé."),
        _ => (422, SandboxErrorCodes.QrInvalid, "QR code invalide."),
    };

    private static IResult? QrError(QrCheck check) => QrFailure(check) is { } f ? Errors.Result(f.Status, f.Code, f.Message, "qrCode") : null;

    private static string? DecodeQr(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        try
        {
            // Tolerate a '+' turned into a space by an unencoded query string, and a %2F left in a path segment.
            var clean = Uri.UnescapeDataString(base64).Replace(' ', '+');
            return Encoding.UTF8.GetString(Convert.FromBase64String(clean));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Basic appId:cleIzly (or Basic cleIzly with AppIdentifier) and AppIdentifier; the appId, or null.</summary>
    internal static string? Authorize(HttpContext ctx, SandboxState s)
    {
        var appIdentifier = ctx.Request.Headers["AppIdentifier"].ToString();
        if (VemEndpoints.TryBasic(ctx, out var user, out var key))
        {
            return appIdentifier.Length > 0 && appIdentifier != user ? null : s.IzlyKeyMatches(user, key) ? user : null;
        }

        // IzlyPay integrations send "Authorization: Basic <key>" with the identifier in AppIdentifier (§8).
        var header = ctx.Request.Headers.Authorization.ToString();
        if (appIdentifier.Length > 0 && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && s.IzlyKeyMatches(appIdentifier, header[6..].Trim()))
        {
            return appIdentifier;
        }

        return null;
    }
}
