using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Middleware.Sandbox.Izly;
using Middleware.Sandbox.Storage;

namespace Middleware.Sandbox.IzlyPay;

internal sealed record WebPaymentRequest(
    [property: JsonPropertyName("amount")] long? Amount,
    [property: JsonPropertyName("clientOrderId")] string? ClientOrderId,
    [property: JsonPropertyName("callbackParameters")] string? CallbackParameters,
    [property: JsonPropertyName("redirectUrlAfterPayment")] string? RedirectUrlAfterPayment,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("callbackUrl")] string? CallbackUrl);

internal sealed class WebPaymentRow
{
    public long Operation_Id { get; set; }
    public string App_Id { get; set; } = "";
    public string Client_Order_Id { get; set; } = "";
    public long Amount { get; set; }
    public string? Callback_Parameters { get; set; }
    public string? Redirect_Url { get; set; }
    public string? Callback_Url { get; set; }
    public string? Message { get; set; }
    public int Status { get; set; }
    public string? Identifier { get; set; }
    public string? Error_Code { get; set; }
    public string? Error_Message { get; set; }
    public string Created_At { get; set; } = "";
    public string? Paid_At { get; set; }
    public string Session_Token { get; set; } = "";
    public int? Callback_Status { get; set; }
}

/// <summary>
/// IzlyPay web payments (§8): creation, the buyer's login and confirmation pages (real HTML forms), the callback
/// POSTed to the merchant, and the verification call the middleware polls.
/// </summary>
internal static class IzlyPayEndpoints
{
    private const int Waiting = 0;
    private const int Completed = 1;
    private const int Refused = 3;
    private const int Cancelled = 5;
    private static readonly HttpClient CallbackClient = new(new SocketsHttpHandler { UseProxy = false });

    public static void Map(IEndpointRouteBuilder app, SandboxState s)
    {
        var log = s.LoggerFactory.CreateLogger("Middleware.Sandbox.IzlyPay");

        app.MapPost("/api/Izly/WebPayments", async (HttpContext ctx) =>
        {
            if (IzlyEndpoints.Authorize(ctx, s) is not { } appId)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic key and AppIdentifier).");
            }

            WebPaymentRequest? req;
            try
            {
                req = await JsonSerializer.DeserializeAsync<WebPaymentRequest>(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            }
            catch (JsonException)
            {
                return Errors.BadRequest("Body is not JSON {amount, clientOrderId, callbackParameters, redirectUrlAfterPayment, message}.");
            }

            if (req?.Amount is not { } amount || amount <= 0)
            {
                return Errors.BadRequest("amount is a positive number of cents.", "amount");
            }

            if (string.IsNullOrWhiteSpace(req.ClientOrderId))
            {
                return Errors.BadRequest("clientOrderId is mandatory.", "clientOrderId");
            }

            if (req.CallbackUrl is { } cb && !Uri.TryCreate(cb, UriKind.Absolute, out _))
            {
                return Errors.BadRequest("callbackUrl is an absolute URL.", "callbackUrl");
            }

            var now = s.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            var row = await s.Db.WriteAsync((c, tx) =>
            {
                var existing = c.QueryFirstOrDefault<WebPaymentRow>("SELECT * FROM web_payments WHERE app_id=@appId AND client_order_id=@ClientOrderId", new { appId, req.ClientOrderId }, tx);
                if (existing is not null)
                {
                    return existing;
                }

                var id = c.ExecuteScalar<long>("""
                    INSERT INTO web_payments(app_id, client_order_id, amount, callback_parameters, redirect_url, callback_url, message, status, created_at, session_token)
                    VALUES (@appId, @ClientOrderId, @amount, @CallbackParameters, @RedirectUrlAfterPayment, @CallbackUrl, @Message, 0, @now, @token);
                    SELECT last_insert_rowid();
                    """,
                    new { appId, req.ClientOrderId, amount, req.CallbackParameters, req.RedirectUrlAfterPayment, req.CallbackUrl, req.Message, now, token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) }, tx);
                return c.QueryFirst<WebPaymentRow>("SELECT * FROM web_payments WHERE operation_id=@id", new { id }, tx);
            }, ctx.RequestAborted);

            log.LogInformation("Web payment {OperationId} created by {AppId} for {Amount} cents", row.Operation_Id, appId, row.Amount);
            return Results.Json(new
            {
                paymentAuthorizationUrl = new Uri(s.BaseUrl, $"izlypay/pay/{row.Operation_Id}?s={row.Session_Token}").ToString(),
                operationSMoney = Operation(row, s),
                beneficiary = new { id = appId, clientId = appId },
            });
        });

        app.MapGet("/api/Izly/WebPayments/{operationId}", async (HttpContext ctx, string operationId) =>
        {
            if (IzlyEndpoints.Authorize(ctx, s) is not { } appId)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic key and AppIdentifier).");
            }

            var row = await LoadAsync(s, operationId, ctx.RequestAborted);
            if (row is null || row.App_Id != appId)
            {
                return Errors.NotFound(SandboxErrorCodes.Unknown, "Opération inconnue.");
            }

            return Results.Json(new
            {
                operationId = row.Operation_Id.ToString(CultureInfo.InvariantCulture),
                orderId = row.Client_Order_Id,
                error = row.Error_Code is null ? null : new { code = row.Error_Code, message = row.Error_Message },
                operationStatus = row.Status,
                // [designed, §8 + §4] the payer's client code once paid: a till that polls (no callback) needs it for the
                // IzlyPay ticket's complementaire.codeClient.
                clientCode = row.Status == 1 ? row.Identifier : null,
            });
        });

        // The buyer's pages.
        app.MapGet("/izlypay/pay/{operationId}", async (HttpContext ctx, string operationId) =>
        {
            var row = await LoadAsync(s, operationId, ctx.RequestAborted);
            var token = ctx.Request.Query["s"].ToString();
            if (row is null || token != row.Session_Token)
            {
                return Html(404, Page("Paiement introuvable", "<p id=\"error\">Ce lien de paiement n'existe pas.</p>"));
            }

            return row.Status != Waiting ? Html(200, Final(row)) : Html(200, LoginPage(row, null));
        });

        app.MapPost("/izlypay/pay/{operationId}/login", async (HttpContext ctx, string operationId) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            var row = await LoadAsync(s, operationId, ctx.RequestAborted);
            if (row is null || form["s"].ToString() != row.Session_Token)
            {
                return Html(404, Page("Paiement introuvable", "<p id=\"error\">Ce lien de paiement n'existe pas.</p>"));
            }

            if (row.Status != Waiting)
            {
                return Html(200, Final(row));
            }

            var login = form["login"].ToString().Trim();
            var password = form["password"].ToString();
            HolderRow? holder;
            await using (var c = s.Db.Read())
            {
                holder = c.QueryFirstOrDefault<HolderRow>(
                    $"SELECT {IzlyEndpoints.HolderColumns} FROM right_holders WHERE lower(email)=lower(@login) OR identifier=@login", new { login });
            }

            if (holder is null || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(holder.Password), System.Text.Encoding.UTF8.GetBytes(password)))
            {
                log.LogInformation("IzlyPay login refused for operation {OperationId}", row.Operation_Id);
                return Html(401, LoginPage(row, "Identifiant ou mot de passe incorrect."));
            }

            await s.Db.WriteAsync((c, tx) => c.Execute("UPDATE web_payments SET identifier=@Identifier WHERE operation_id=@Operation_Id AND status=0",
                new { holder.Identifier, row.Operation_Id }, tx), ctx.RequestAborted);
            return Html(200, ConfirmPage(row, holder));
        });

        app.MapPost("/izlypay/pay/{operationId}/confirm", async (HttpContext ctx, string operationId) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            var row = await LoadAsync(s, operationId, ctx.RequestAborted);
            if (row is null || form["s"].ToString() != row.Session_Token || row.Identifier is null)
            {
                return Html(404, Page("Paiement introuvable", "<p id=\"error\">Session de paiement invalide.</p>"));
            }

            if (row.Status != Waiting)
            {
                return Html(200, Final(row));
            }

            var cancel = form["action"].ToString() == "cancel";
            if (!cancel && LateConfirmation.TryHold(s, row, ctx.Request.Path.Value ?? "", log))
            {
                return Html(202, Page("Paiement en cours", "<p id=\"result\" data-status=\"0\">Paiement en cours de traitement.</p>"));
            }

            var now = s.Time.GetUtcNow();
            var final = await s.Db.WriteAsync((c, tx) => Settle(c, tx, row, cancel, now), ctx.RequestAborted);
            log.LogInformation("Web payment {OperationId} settled with status {Status}", final.Operation_Id, final.Status);

            if (final.Callback_Url is { } url)
            {
                var status = await CallbackAsync(s, final, url, log, ctx.RequestAborted);
                await s.Db.WriteAsync((c, tx) => c.Execute("UPDATE web_payments SET callback_status=@status WHERE operation_id=@Operation_Id", new { status, final.Operation_Id }, tx), ctx.RequestAborted);
            }

            if (final.Redirect_Url is { } redirect && Uri.TryCreate(redirect, UriKind.Absolute, out var target))
            {
                return Results.Redirect(target.ToString());
            }

            return Html(200, Final(final));
        });
    }

    internal static async Task<IReadOnlyList<StoredWebPayment>> ListAsync(SandboxState s, CancellationToken ct)
    {
        await using var c = s.Db.Read();
        var rows = await c.QueryAsync<WebPaymentRow>(new CommandDefinition("SELECT * FROM web_payments ORDER BY operation_id", cancellationToken: ct));
        return [.. rows.Select(r => new StoredWebPayment(r.Operation_Id.ToString(CultureInfo.InvariantCulture), r.App_Id, r.Client_Order_Id, r.Amount, r.Status,
            r.Identifier, r.Callback_Url, r.Callback_Status, r.Error_Code))];
    }

    internal static WebPaymentRow Settle(Microsoft.Data.Sqlite.SqliteConnection c, Microsoft.Data.Sqlite.SqliteTransaction tx, WebPaymentRow row, bool cancel, DateTimeOffset now)
    {
        var date = now.ToString("O", CultureInfo.InvariantCulture);
        void Finish(int status, string? code, string? message) =>
            c.Execute("UPDATE web_payments SET status=@status, error_code=@code, error_message=@message, paid_at=@date WHERE operation_id=@Operation_Id AND status=0",
                new { status, code, message, date, row.Operation_Id }, tx);

        if (cancel)
        {
            Finish(Cancelled, "-5", "Paiement annulé par l'utilisateur.");
        }
        else
        {
            var h = IzlyEndpoints.LoadHolder(c, row.Identifier!, tx)!;
            if (IzlyEndpoints.Refusal(h, now) is { } refusal)
            {
                Finish(Refused, refusal.Code, refusal.Message);
            }
            else if (h.Balance < row.Amount)
            {
                Finish(Refused, SandboxErrorCodes.InsufficientBalance, "Solde insuffisant.");
            }
            else
            {
                var after = h.Balance - row.Amount;
                c.Execute("UPDATE right_holders SET balance=@after WHERE identifier=@Identifier", new { after, h.Identifier }, tx);
                c.Execute("""
                    INSERT INTO transactions(app_id, client_order_id, identifier, amount, status, balance_after, operation_date, means)
                    VALUES (@App_Id, @order, @Identifier, @Amount, 1, @after, @date, 'izlypay')
                    """, new { row.App_Id, order = $"izlypay:{row.Operation_Id}", row.Identifier, row.Amount, after, date }, tx);
                Finish(Completed, null, null);
            }
        }

        return c.QueryFirst<WebPaymentRow>("SELECT * FROM web_payments WHERE operation_id=@Operation_Id", new { row.Operation_Id }, tx);
    }

    internal static async Task<int?> CallbackAsync(SandboxState s, WebPaymentRow row, string url, ILogger log, CancellationToken ct)
    {
        string? email = null;
        await using (var c = s.Db.Read())
        {
            email = row.Identifier is null ? null : await c.ExecuteScalarAsync<string>("SELECT email FROM right_holders WHERE identifier=@Identifier", new { row.Identifier });
        }

        var body = new
        {
            operationSMoney = Operation(row, s),
            beneficiary = new { id = row.App_Id, clientId = row.App_Id },
            user = new { id = row.Identifier, email, clientCode = row.Identifier },
            error = row.Error_Code is null ? null : new { code = row.Error_Code, message = row.Error_Message },
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(s.Options.CallbackTimeout);
        try
        {
            using var response = await CallbackClient.PostAsJsonAsync(url, body, cts.Token);
            log.LogInformation("Callback of web payment {OperationId} answered {Status}", row.Operation_Id, (int)response.StatusCode);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // The merchant may be unreachable (a till on a LAN): the verification call remains the source of truth.
            log.LogInformation("Callback of web payment {OperationId} failed: {Error}", row.Operation_Id, e.GetType().Name);
            return null;
        }
    }

    private static object Operation(WebPaymentRow row, SandboxState s) => new
    {
        id = row.Operation_Id.ToString(CultureInfo.InvariantCulture),
        amount = row.Amount,
        date = s.ToLocal(DateTimeOffset.Parse(row.Paid_At ?? row.Created_At, CultureInfo.InvariantCulture)).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture),
        message = row.Message,
        clientOrderId = row.Client_Order_Id,
        status = row.Status,
        callbackParameters = row.Callback_Parameters,
    };

    private static Task<WebPaymentRow?> LoadAsync(SandboxState s, string operationId, CancellationToken ct)
    {
        if (!long.TryParse(operationId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Task.FromResult<WebPaymentRow?>(null);
        }

        using var c = s.Db.Read();
        return Task.FromResult(c.QueryFirstOrDefault<WebPaymentRow>(new CommandDefinition("SELECT * FROM web_payments WHERE operation_id=@id", new { id }, cancellationToken: ct)));
    }

    private static string Amount(long cents) => (cents / 100m).ToString("0.00", CultureInfo.GetCultureInfo("fr-FR")) + " €";

    private static string LoginPage(WebPaymentRow row, string? error) => Page("Connexion Izly", $"""
        <p id="amount">Paiement de <strong>{Amount(row.Amount)}</strong>{(row.Message is null ? "" : " — " + WebUtility.HtmlEncode(row.Message))}</p>
        {(error is null ? "" : $"<p id=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}
        <form id="login-form" method="post" action="/izlypay/pay/{row.Operation_Id}/login">
          <input type="hidden" name="s" value="{row.Session_Token}">
          <label for="login">Identifiant Izly (courriel)</label>
          <input id="login" name="login" type="text" autocomplete="username" required>
          <label for="password">Mot de passe</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required>
          <button id="submit-login" type="submit">Se connecter</button>
        </form>
        """);

    private static string ConfirmPage(WebPaymentRow row, HolderRow holder) => Page("Confirmer le paiement", $"""
        <p id="who">{WebUtility.HtmlEncode(holder.First_Name)} {WebUtility.HtmlEncode(holder.Last_Name)}, solde {Amount(holder.Balance)}</p>
        <p id="amount">Payer <strong>{Amount(row.Amount)}</strong> au Crous ({WebUtility.HtmlEncode(row.App_Id)})</p>
        <form id="confirm-form" method="post" action="/izlypay/pay/{row.Operation_Id}/confirm">
          <input type="hidden" name="s" value="{row.Session_Token}">
          <button id="confirm" name="action" value="confirm" type="submit">Confirmer le paiement</button>
          <button id="cancel" name="action" value="cancel" type="submit">Annuler</button>
        </form>
        """);

    private static string Final(WebPaymentRow row) => row.Status switch
    {
        Completed => Page("Paiement accepté", $"<p id=\"result\" data-status=\"1\">Paiement de {Amount(row.Amount)} accepté.</p>"),
        Cancelled => Page("Paiement annulé", "<p id=\"result\" data-status=\"5\">Paiement annulé.</p>"),
        _ => Page("Paiement refusé", $"<p id=\"result\" data-status=\"{row.Status}\">Paiement refusé : {WebUtility.HtmlEncode(row.Error_Message ?? "")}</p>"),
    };

    private static string Page(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="fr"><head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(title)} - Izly (sandbox)</title>
        <style>body{"{"}font-family:sans-serif;max-width:28em;margin:2em auto{"}"} label,input,button{"{"}display:block;margin:.4em 0{"}"} #error{"{"}color:#b00{"}"}</style>
        </head><body><h1>{WebUtility.HtmlEncode(title)}</h1>
        {body}
        </body></html>
        """;

    private static IResult Html(int status, string html) => Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
}
