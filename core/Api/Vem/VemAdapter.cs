using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.Api.Http;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Vem;

// The ONE place that knows the VEM wire contract (crous-izly-api.md §2 auth, §3 resources, §4 tickets, §7 errors,
// §9 Whiz): paths, French field names, status codes. When the real schema is known, this file is the change.

/// <summary>Paths, bodies and status-code mapping of the VEM and Whiz APIs.</summary>
internal static class VemAdapter
{
    // §2.1
    public const string AuthenticatePath = "/vem/v1/authenticate";

    // §2.2: relative to the gateway (VemOptions.OAuthTokenUrl overrides it).
    public const string OAuthTokenPath = "/api/oauth/token";

    // §3 resource names.
    public const string Caisse = "caisse";
    public const string Tva = "tva";
    public const string Articles = "articles";
    public const string Societes = "societes";
    public const string SocietesTarifs = "societes-tarifs";
    public const string Periodes = "periodes";
    public const string SocietesTarifsPeriode = "societes-tarifs-periode";
    public const string ArticlesSocietesTarifsPeriodes = "articles-societes-tarifs-periodes";
    public const string DroitsEntreeTypes = "droits-entree-types";
    public const string DroitsEntree = "droits-entree";
    public const string Subventions = "subventions";

    // §3: GET /vem/v1/{crous}/{resource}/{crous}/{ug}/{ru}/{ud}/{caisse}
    public static string ResourcePath(PointOfSaleId pos, string resource) =>
        string.Create(CultureInfo.InvariantCulture, $"/vem/v1/{pos.Crous}/{resource}/{pos.ToPath()}");

    public static string Flag(bool value) => value ? "1" : "0";

    // §4: POST /vem/v1/{crous}/remontee-caisse/tickets/{crous}/{ug}/{ru}/{ud}/{caisse}?versCommandeEnLigne=0|1
    public static string TicketPath(PointOfSaleId pos) =>
        string.Create(CultureInfo.InvariantCulture, $"/vem/v1/{pos.Crous}/remontee-caisse/tickets/{pos.ToPath()}");

    public const string TicketOnlineOrderQuery = "versCommandeEnLigne";

    // §9: POST /whiz/v1/{crous}/commandes/{crous}/{ug}/{ru}/{ud}; PATCH /whiz/v1/{crous}/commandes/{idCommande}
    public static string WhizOrdersPath(PointOfSaleId pos) =>
        string.Create(CultureInfo.InvariantCulture, $"/whiz/v1/{pos.Crous}/commandes/{pos.Crous}/{pos.Ug}/{pos.Ru}/{pos.Ud}");

    public static string WhizOrderPath(PointOfSaleId pos, string idCommande) =>
        string.Create(CultureInfo.InvariantCulture, $"/whiz/v1/{pos.Crous}/commandes/{Uri.EscapeDataString(idCommande)}");

    public static string WhizStatus(WhizOrderStatus status) => status switch
    {
        WhizOrderStatus.EnPreparation => "EN_PREPARATION",
        WhizOrderStatus.Prete => "PRETE",
        WhizOrderStatus.Servie => "SERVIE",
        WhizOrderStatus.Annulee => "ANNULEE",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>§2.1 / §2.2: a resource answering 401 or 403 wants a new token (once).</summary>
    public static bool IsAuthenticationRefused(ApiResponse response) =>
        response.StatusCode is Status.Unauthorized or Status.Forbidden;

    /// <summary>§2.1: the installation-key request body.</summary>
    public static AuthenticateRequest AuthenticateBody(string environment, PointOfSaleId pos, string installationKey) =>
        new(environment, pos.ToString(), installationKey);

    /// <summary>§2.1: the token from the <c>Authorization</c> header first (sent back as-is), else from the body
    /// (<c>{"token","expiresIn"}</c>, sent back as <c>Bearer</c>). Expiry: <c>expiresIn</c>, else the JWT's <c>exp</c>,
    /// else <paramref name="defaultLifetime"/>.</summary>
    public static VemToken? ReadInstallationToken(ApiResponse response, DateTimeOffset now, TimeSpan defaultLifetime)
    {
        AuthenticateResponse? body = null;
        if (!response.IsBlank)
        {
            try
            {
                body = JsonSerializer.Deserialize(response.Body.Span, ApiJsonContext.Default.AuthenticateResponse);
            }
            catch (JsonException)
            {
                body = null; // the header may still carry the token
            }
        }

        string? authorization = null;
        if (!string.IsNullOrWhiteSpace(response.AuthorizationHeader))
        {
            authorization = response.AuthorizationHeader.Trim();
        }
        else if (!string.IsNullOrWhiteSpace(body?.Token))
        {
            authorization = "Bearer " + body.Token;
        }

        if (authorization is null)
        {
            return null;
        }

        // A relative lifetime is immune to clock skew between VEM and this host: prefer it to the JWT's exp.
        var expires = body?.ExpiresIn is > 0 ? now.AddSeconds(body.ExpiresIn.Value) : JwtExpiry(authorization) ?? now + defaultLifetime;
        return new VemToken(authorization, SkewTolerant(expires, now, defaultLifetime));
    }

    /// <summary>§2.2: <c>{"access_token","expires_in"}</c>, sent as <c>Bearer</c>.</summary>
    public static VemToken? ReadOAuthToken(ApiResponse response, DateTimeOffset now, TimeSpan defaultLifetime)
    {
        if (response.IsBlank)
        {
            return null;
        }

        OAuthTokenResponse? body;
        try
        {
            body = JsonSerializer.Deserialize(response.Body.Span, ApiJsonContext.Default.OAuthTokenResponse);
        }
        catch (JsonException)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(body?.AccessToken))
        {
            return null;
        }

        var authorization = "Bearer " + body.AccessToken;
        var expires = body.ExpiresIn is > 0 ? now.AddSeconds(body.ExpiresIn.Value) : JwtExpiry(authorization) ?? now + defaultLifetime;
        return new VemToken(authorization, SkewTolerant(expires, now, defaultLifetime));
    }

    /// <summary>A token VEM just issued but that our clock already sees expired means the clocks disagree: trust VEM
    /// (use it for the default lifetime; a real expiry then shows as a 401, which re-authenticates once).</summary>
    private static DateTimeOffset SkewTolerant(DateTimeOffset expires, DateTimeOffset now, TimeSpan defaultLifetime) =>
        expires > now ? expires : now + defaultLifetime;

    /// <summary>§2.2: <c>Basic base64(clientId:clientSecret)</c>.</summary>
    public static string BasicCredentials(string user, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + secret));

    /// <summary>The <c>exp</c> claim of a JWT (with or without a <c>Bearer</c> prefix); null when not a JWT.</summary>
    public static DateTimeOffset? JwtExpiry(string authorization)
    {
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : authorization;
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var doc = JsonDocument.Parse(Convert.FromBase64String(payload));
            return doc.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>§7: the first error of <c>{"errors":[{"code","message","field"}]}</c>, or null.</summary>
    public static ApiError? ReadError(ApiResponse response)
    {
        if (response.IsBlank)
        {
            return null;
        }

        try
        {
            var body = JsonSerializer.Deserialize(response.Body.Span, ApiJsonContext.Default.VemErrorBody);
            var first = body?.Errors is [var e, ..] ? e : null;
            return first is null ? null : new ApiError(first.Code ?? "", first.Message ?? "", first.Field);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>§4 responses: 201 integrated, 200 duplicate (same idTicketEntete), 422 incoherent, 401/403 auth,
    /// 5xx/timeouts transient. Any other 4xx is a permanent refusal.</summary>
    public static TicketUploadResult MapTicketResponse(ApiResponse response, string idTicketEntete)
    {
        if (response.IsTransportFailure || response.StatusCode >= 500 || response.StatusCode is 408 or 429)
        {
            return TicketUploadResult.Transient(idTicketEntete, response.Describe(), response.StatusCode == 0 ? null : response.StatusCode);
        }

        if (IsAuthenticationRefused(response))
        {
            return TicketUploadResult.Transient(idTicketEntete, "authentication refused after one re-authentication (" + response.Describe() + ")", response.StatusCode);
        }

        if (response.StatusCode is Status.Created or Status.Ok)
        {
            string? statut = null;
            try
            {
                statut = response.IsBlank ? null : JsonSerializer.Deserialize(response.Body.Span, ApiJsonContext.Default.TicketAccepted)?.Statut;
            }
            catch (JsonException)
            {
                statut = null;
            }

            return response.StatusCode == Status.Created
                ? TicketUploadResult.Integrated(idTicketEntete, statut)
                : TicketUploadResult.Duplicate(idTicketEntete, statut);
        }

        var error = ReadError(response) ?? new ApiError("HTTP" + response.StatusCode.ToString(CultureInfo.InvariantCulture), response.Describe(), null);
        return TicketUploadResult.Rejected(idTicketEntete, error, response.StatusCode);
    }

    internal sealed record AuthenticateRequest(
        [property: JsonPropertyName("env")] string Env,
        [property: JsonPropertyName("appId")] string AppId,
        [property: JsonPropertyName("appSecret")] string AppSecret);

    internal sealed record AuthenticateResponse(
        [property: JsonPropertyName("token")] string? Token,
        [property: JsonPropertyName("expiresIn")] long? ExpiresIn);

    internal sealed record OAuthTokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] long? ExpiresIn);

    internal sealed record TicketAccepted(
        [property: JsonPropertyName("idTicketEntete")] string? IdTicketEntete,
        [property: JsonPropertyName("statut")] string? Statut);

    internal sealed record ErrorBody([property: JsonPropertyName("errors")] List<ErrorItem>? Errors);

    internal sealed record ErrorItem(
        [property: JsonPropertyName("code")] string? Code,
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("field")] string? Field);

    internal sealed record WhizStatusBody([property: JsonPropertyName("statut")] string Statut);
}

/// <summary>A bearer of VEM calls: the <c>Authorization</c> value and when it expires.</summary>
internal sealed record VemToken(string Authorization, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"VemToken(expires {ExpiresAt:O})"; // never the token itself
}

// ---- §3 wire records (French JSON names). ----

/// <summary><c>caisse</c>: the till's record, with its Izly key. <see cref="ToString"/> never shows the key.</summary>
public sealed class VemCaisse
{
    [JsonPropertyName("idCrous")] public int IdCrous { get; init; }
    [JsonPropertyName("idUg")] public int IdUg { get; init; }
    [JsonPropertyName("idRu")] public int IdRu { get; init; }
    [JsonPropertyName("idUd")] public int IdUd { get; init; }
    [JsonPropertyName("idCaisse")] public int IdCaisse { get; init; }
    [JsonPropertyName("libelle")] public string? Libelle { get; init; }

    /// <summary>The Izly key of this till: kept in memory only (never stored, never logged).</summary>
    [JsonPropertyName("cleIzly")] public string? CleIzly { get; init; }
    [JsonPropertyName("idLogiciel")] public int? IdLogiciel { get; init; }

    /// <summary>[designed] The last ticket VEM holds for this till, <c>{"idTicketEntete","numeroTicket"}</c>, or JSON
    /// null when it holds none; absent (<see cref="System.Text.Json.JsonValueKind.Undefined"/>) when VEM does not tell.
    /// A host that lost its ticket store resumes its numbering above it.</summary>
    [JsonPropertyName("dernierTicket")] public System.Text.Json.JsonElement DernierTicket { get; init; }

    public override string ToString() => $"caisse {IdCrous}-{IdUg}-{IdRu}-{IdUd}-{IdCaisse} '{Libelle}'";
}

/// <summary><c>tva</c>.</summary>
public sealed record VemTva(
    [property: JsonPropertyName("codeTva")] int CodeTva,
    [property: JsonPropertyName("taux")] decimal Taux,
    [property: JsonPropertyName("libelle")] string? Libelle);

/// <summary><c>articles</c>.</summary>
public sealed record VemArticle(
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("libelle")] string? Libelle,
    [property: JsonPropertyName("codeTva")] int CodeTva,
    [property: JsonPropertyName("codeFamille")] int? CodeFamille,
    [property: JsonPropertyName("actif")] bool Actif,
    [property: JsonPropertyName("versBornesPrepaiement")] bool VersBornesPrepaiement);

/// <summary><c>societes</c>.</summary>
public sealed record VemSociete(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("libelle")] string? Libelle);

/// <summary><c>societes-tarifs</c>: a profile; its <c>codeTva</c> applies to CB payments.</summary>
public sealed record VemSocieteTarif(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("libelle")] string? Libelle,
    [property: JsonPropertyName("codeTva")] int? CodeTva);

/// <summary><c>periodes</c>. Dates are kept as VEM sends them (date or date-time with offset).</summary>
public sealed record VemPeriode(
    [property: JsonPropertyName("idPeriode")] int IdPeriode,
    [property: JsonPropertyName("dateDebut")] string DateDebut,
    [property: JsonPropertyName("dateFin")] string? DateFin);

/// <summary><c>societes-tarifs-periode</c>.</summary>
public sealed record VemSocieteTarifPeriode(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("idPeriode")] int IdPeriode);

/// <summary><c>articles-societes-tarifs-periodes</c>: a TTC price.</summary>
public sealed record VemArticlePrix(
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("idPeriode")] int IdPeriode,
    [property: JsonPropertyName("prixTtc")] decimal PrixTtc);

/// <summary><c>droits-entree-types</c>.</summary>
public sealed record VemDroitEntreeType(
    [property: JsonPropertyName("codeType")] int CodeType,
    [property: JsonPropertyName("libelle")] string? Libelle);

/// <summary><c>droits-entree</c>: an entry fee, a ticket line of its own with its article.</summary>
public sealed record VemDroitEntree(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("codeType")] int CodeType,
    [property: JsonPropertyName("montantTtc")] decimal MontantTtc,
    [property: JsonPropertyName("codeArticle")] int CodeArticle);

/// <summary><c>subventions</c>: a subsidy, a ticket line of its own with a negative unit price.</summary>
public sealed record VemSubvention(
    [property: JsonPropertyName("codeSociete")] int CodeSociete,
    [property: JsonPropertyName("codeTarif")] int CodeTarif,
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("montant")] decimal Montant,
    [property: JsonPropertyName("libelle")] string? Libelle);

// ---- §9 Whiz wire records. ----

/// <summary>A kitchen-display order (§9).</summary>
public sealed record WhizOrder(
    [property: JsonPropertyName("numeroTicket")] string NumeroTicket,
    [property: JsonPropertyName("idTypeDistribution")] int IdTypeDistribution,
    [property: JsonPropertyName("heure")] DateTimeOffset Heure,
    [property: JsonPropertyName("lignes")] IReadOnlyList<WhizOrderLine> Lignes);

/// <summary>One line of a Whiz order.</summary>
public sealed record WhizOrderLine(
    [property: JsonPropertyName("codeArticle")] int CodeArticle,
    [property: JsonPropertyName("libelle")] string Libelle,
    [property: JsonPropertyName("quantite")] int Quantite,
    [property: JsonPropertyName("commentaire")] string? Commentaire);

/// <summary>Whiz's answer: the order id and the number called on the queue screen.</summary>
public sealed record WhizOrderCreated(
    [property: JsonPropertyName("idCommande"), JsonConverter(typeof(FlexibleStringConverter))] string IdCommande,
    [property: JsonPropertyName("numeroAppel"), JsonConverter(typeof(FlexibleStringConverter))] string NumeroAppel);

/// <summary>Whiz order states (§9).</summary>
public enum WhizOrderStatus
{
    EnPreparation,
    Prete,
    Servie,
    Annulee,
}
