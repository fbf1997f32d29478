using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Api.Http;
using Middleware.Api.Secrets;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using RestSharp;

namespace Middleware.Api.Vem;

/// <summary>The VEM client over RestSharp. Wire details live in <see cref="VemAdapter"/>.</summary>
internal sealed class VemClient : IVemClient, IDisposable
{
    private const string OAuthTokenKey = "oauth";

    private readonly VemOptions options;
    private readonly SecretStore secrets;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ApiTransport transport;
    private readonly ApiTransport? tokenTransport;
    private readonly ConcurrentDictionary<string, VemToken> tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim authLock = new(1, 1);
    private int authentications;

    public VemClient(VemOptions options, SecretStore secrets, TimeProvider time, ILogger<VemClient> logger, HttpMessageHandler? handler = null)
    {
        this.options = options;
        this.secrets = secrets;
        this.time = time;
        this.logger = logger;
        transport = new ApiTransport(options.BaseUrl, options.Timeout, options.Retry, time, handler);
        if (options.AuthScheme == VemAuthScheme.OAuth2ClientCredentials && options.OAuthTokenUrl is { } tokenUrl)
        {
            tokenTransport = new ApiTransport(new Uri(tokenUrl.GetLeftPart(UriPartial.Authority)), options.Timeout, options.Retry, time, handler);
        }
    }

    /// <summary>How many times a token was obtained (diagnostics and tests).</summary>
    internal int Authentications => Volatile.Read(ref authentications);

    public async Task<VemCaisse> GetCaisseAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken)
    {
        var response = await GetResourceAsync(pointOfSale, VemAdapter.Caisse, [], cancellationToken).ConfigureAwait(false);
        return Deserialize<VemCaisse>(response, VemAdapter.Caisse);
    }

    public Task<IReadOnlyList<VemTva>> GetTvaAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemTva>(pointOfSale, VemAdapter.Tva, [], cancellationToken);

    public Task<IReadOnlyList<VemArticle>> GetArticlesAsync(PointOfSaleId pointOfSale, bool versBornesPrepaiement, CancellationToken cancellationToken) =>
        GetListAsync<VemArticle>(pointOfSale, VemAdapter.Articles, [("versBornesPrepaiement", VemAdapter.Flag(versBornesPrepaiement))], cancellationToken);

    public Task<IReadOnlyList<VemSociete>> GetSocietesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemSociete>(pointOfSale, VemAdapter.Societes, [], cancellationToken);

    public Task<IReadOnlyList<VemSocieteTarif>> GetSocietesTarifsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemSocieteTarif>(pointOfSale, VemAdapter.SocietesTarifs, [], cancellationToken);

    public Task<IReadOnlyList<VemPeriode>> GetPeriodesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemPeriode>(pointOfSale, VemAdapter.Periodes, [], cancellationToken);

    public Task<IReadOnlyList<VemSocieteTarifPeriode>> GetSocietesTarifsPeriodeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemSocieteTarifPeriode>(pointOfSale, VemAdapter.SocietesTarifsPeriode, [], cancellationToken);

    public Task<IReadOnlyList<VemArticlePrix>> GetArticlesSocietesTarifsPeriodesAsync(PointOfSaleId pointOfSale, bool periodesFutures, bool versBornesPrepaiement, CancellationToken cancellationToken) =>
        GetListAsync<VemArticlePrix>(
            pointOfSale,
            VemAdapter.ArticlesSocietesTarifsPeriodes,
            [("periodesFutures", VemAdapter.Flag(periodesFutures)), ("versBornesPrepaiement", VemAdapter.Flag(versBornesPrepaiement))],
            cancellationToken);

    public Task<IReadOnlyList<VemDroitEntreeType>> GetDroitsEntreeTypesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemDroitEntreeType>(pointOfSale, VemAdapter.DroitsEntreeTypes, [], cancellationToken);

    public Task<IReadOnlyList<VemDroitEntree>> GetDroitsEntreeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemDroitEntree>(pointOfSale, VemAdapter.DroitsEntree, [], cancellationToken);

    public Task<IReadOnlyList<VemSubvention>> GetSubventionsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync<VemSubvention>(pointOfSale, VemAdapter.Subventions, [], cancellationToken);

    public async Task<TicketUploadResult> UploadTicketAsync(PointOfSaleId pointOfSale, VemTicket ticket, bool versCommandeEnLigne, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(ticket, VemJson.Options);
        ApiResponse response;
        try
        {
            // SafeToRepeat: VEM dedups by idTicketEntete (§4: a repeat answers 200 with the first result).
            response = await SendAuthorizedAsync(
                pointOfSale,
                () => new RestRequest(VemAdapter.TicketPath(pointOfSale), Method.Post)
                    .AddQueryParameter(VemAdapter.TicketOnlineOrderQuery, VemAdapter.Flag(versCommandeEnLigne))
                    .AddStringBody(body, ContentType.Json),
                CallSafety.SafeToRepeat,
                cancellationToken).ConfigureAwait(false);
        }
        catch (VemApiException ex)
        {
            logger.LogWarning("VEM ticket {IdTicketEntete} for {PointOfSale} not sent: {Failure} {Reason}", ticket.IdTicketEntete, pointOfSale, ex.Failure, ex.Message);
            return new TicketUploadResult(TicketUploadOutcome.TransientFailure, ticket.IdTicketEntete, null, ex.Error, ex.HttpStatus, ex.Message);
        }

        var result = VemAdapter.MapTicketResponse(response, ticket.IdTicketEntete);
        logger.Log(
            result.Outcome == TicketUploadOutcome.TransientFailure ? LogLevel.Warning : LogLevel.Information,
            "VEM ticket {IdTicketEntete} for {PointOfSale}: {Outcome} ({Status}) {ErrorCode} {Detail}",
            ticket.IdTicketEntete, pointOfSale, result.Outcome, response.Describe(), result.Error?.Code, result.Detail);
        return result;
    }

    public async Task<WhizOrderCreated> CreateWhizOrderAsync(PointOfSaleId pointOfSale, WhizOrder order, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(order, VemAdapter.Json);
        var response = await SendAuthorizedAsync(
            pointOfSale,
            () => new RestRequest(VemAdapter.WhizOrdersPath(pointOfSale), Method.Post).AddStringBody(body, ContentType.Json),
            CallSafety.SendOnce,
            cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "whiz order");
        return Deserialize<WhizOrderCreated>(response, "whiz order");
    }

    public async Task UpdateWhizOrderStatusAsync(PointOfSaleId pointOfSale, string idCommande, WhizOrderStatus status, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new VemAdapter.WhizStatusBody(VemAdapter.WhizStatus(status)), VemAdapter.Json);
        var response = await SendAuthorizedAsync(
            pointOfSale,
            () => new RestRequest(VemAdapter.WhizOrderPath(pointOfSale, idCommande), Method.Patch).AddStringBody(body, ContentType.Json),
            CallSafety.SafeToRepeat,
            cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "whiz status");
    }

    /// <summary>Forgets cached tokens (tests, key rotation).</summary>
    internal void ForgetTokens() => tokens.Clear();

    private async Task<IReadOnlyList<T>> GetListAsync<T>(PointOfSaleId pointOfSale, string resource, (string Name, string Value)[] query, CancellationToken cancellationToken)
    {
        var response = await GetResourceAsync(pointOfSale, resource, query, cancellationToken).ConfigureAwait(false);
        return Deserialize<List<T>>(response, resource);
    }

    private async Task<ApiResponse> GetResourceAsync(PointOfSaleId pointOfSale, string resource, (string Name, string Value)[] query, CancellationToken cancellationToken)
    {
        var response = await SendAuthorizedAsync(
            pointOfSale,
            () =>
            {
                var request = new RestRequest(VemAdapter.ResourcePath(pointOfSale, resource), Method.Get);
                foreach (var (name, value) in query)
                {
                    request.AddQueryParameter(name, value);
                }

                return request;
            },
            CallSafety.SafeToRepeat,
            cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, resource);
        return response;
    }

    private async Task<ApiResponse> SendAuthorizedAsync(PointOfSaleId pointOfSale, Func<RestRequest> build, CallSafety safety, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(pointOfSale, null, cancellationToken).ConfigureAwait(false);
        RestRequest Authorized()
        {
            var request = build();
            request.AddOrUpdateHeader("Authorization", token.Authorization);
            request.AddOrUpdateHeader("Accept", "application/json");
            return request;
        }

        var response = await transport.SendAsync(Authorized, safety, cancellationToken).ConfigureAwait(false);
        if (VemAdapter.IsAuthenticationRefused(response))
        {
            // §2.1 (esup-sgc practice): re-authenticate once and retry once. A 401/403 was not processed, so
            // the retry is safe even for calls sent once.
            logger.LogInformation("VEM refused the token for {PointOfSale} ({Status}): re-authenticating once", pointOfSale, response.StatusCode);
            token = await GetTokenAsync(pointOfSale, token.Authorization, cancellationToken).ConfigureAwait(false);
            response = await transport.SendAsync(Authorized, safety, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private async Task<VemToken> GetTokenAsync(PointOfSaleId pointOfSale, string? rejected, CancellationToken cancellationToken)
    {
        var key = options.AuthScheme == VemAuthScheme.OAuth2ClientCredentials ? OAuthTokenKey : pointOfSale.ToString();
        if (IsUsable(key, rejected, out var cached))
        {
            return cached;
        }

        await authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have renewed it while this one waited.
            if (IsUsable(key, rejected, out cached))
            {
                return cached;
            }

            var token = options.AuthScheme == VemAuthScheme.OAuth2ClientCredentials
                ? await AuthenticateOAuthAsync(cancellationToken).ConfigureAwait(false)
                : await AuthenticateInstallationKeyAsync(pointOfSale, cancellationToken).ConfigureAwait(false);
            tokens[key] = token;
            Interlocked.Increment(ref authentications);
            logger.LogInformation("VEM token obtained for {PointOfSale} by {Scheme}, valid until {ExpiresAt:O}", key, options.AuthScheme, token.ExpiresAt);
            return token;
        }
        finally
        {
            authLock.Release();
        }
    }

    private bool IsUsable(string key, string? rejected, out VemToken token)
    {
        if (tokens.TryGetValue(key, out token!) && token.Authorization != rejected && time.GetUtcNow() < token.ExpiresAt - options.TokenRefreshMargin)
        {
            return true;
        }

        return false;
    }

    private async Task<VemToken> AuthenticateInstallationKeyAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken)
    {
        var key = secrets.InstallationKey(pointOfSale)
            ?? throw new VemApiException(VemFailure.AuthenticationFailed, $"No VEM installation key for {pointOfSale}: set {SecretStore.InstallationKeyVariableFor(pointOfSale)} or the secrets file.");
        var body = JsonSerializer.Serialize(VemAdapter.AuthenticateBody(options.Environment, pointOfSale, key), VemAdapter.Json);
        var response = await transport.SendAsync(
            () => new RestRequest(VemAdapter.AuthenticatePath, Method.Post).AddStringBody(body, ContentType.Json),
            CallSafety.SafeToRepeat,
            cancellationToken).ConfigureAwait(false);
        ThrowIfAuthenticationFailed(response, "installation key of " + pointOfSale);
        return VemAdapter.ReadInstallationToken(response, time.GetUtcNow(), options.DefaultTokenLifetime)
            ?? throw new VemApiException(VemFailure.InvalidResponse, "VEM authenticate answered without a token.", response.StatusCode);
    }

    private async Task<VemToken> AuthenticateOAuthAsync(CancellationToken cancellationToken)
    {
        var clientId = options.OAuthClientId;
        var secret = secrets.OAuthClientSecret();
        if (string.IsNullOrEmpty(clientId) || secret is null)
        {
            throw new VemApiException(VemFailure.AuthenticationFailed, $"OAuth2 client credentials missing: set {VemOptions.Section}:OAuthClientId and {SecretStore.OAuthClientSecretVariable} (or the secrets file).");
        }

        var path = options.OAuthTokenUrl?.PathAndQuery ?? VemAdapter.OAuthTokenPath;
        var basic = VemAdapter.BasicCredentials(clientId, secret);
        var response = await (tokenTransport ?? transport).SendAsync(
            () =>
            {
                var request = new RestRequest(path, Method.Post).AddQueryParameter("grant_type", "client_credentials");
                request.AddOrUpdateHeader("Authorization", basic);
                return request;
            },
            CallSafety.SafeToRepeat,
            cancellationToken).ConfigureAwait(false);
        ThrowIfAuthenticationFailed(response, "OAuth2 client " + clientId);
        return VemAdapter.ReadOAuthToken(response, time.GetUtcNow(), options.DefaultTokenLifetime)
            ?? throw new VemApiException(VemFailure.InvalidResponse, "The OAuth2 token endpoint answered without an access_token.", response.StatusCode);
    }

    private static void ThrowIfAuthenticationFailed(ApiResponse response, string what)
    {
        if (response.IsSuccess)
        {
            return;
        }

        if (response.IsTransient)
        {
            throw new VemApiException(VemFailure.Unavailable, $"VEM authentication unavailable: {response.Describe()}.", response.StatusCode == 0 ? null : response.StatusCode);
        }

        var failure = response.StatusCode is 400 or 401 or 403 ? VemFailure.AuthenticationFailed : VemFailure.Rejected;
        throw new VemApiException(failure, $"VEM refused the {what} ({response.Describe()}).", response.StatusCode, VemAdapter.ReadError(response.Content));
    }

    private static void EnsureSuccess(ApiResponse response, string what)
    {
        if (response.IsSuccess)
        {
            return;
        }

        if (response.IsTransient)
        {
            throw new VemApiException(VemFailure.Unavailable, $"VEM {what}: {response.Describe()}.", response.StatusCode == 0 ? null : response.StatusCode);
        }

        var error = VemAdapter.ReadError(response.Content);
        if (VemAdapter.IsAuthenticationRefused(response))
        {
            throw new VemApiException(VemFailure.AuthenticationFailed, $"VEM {what}: token refused after one re-authentication ({response.Describe()}).", response.StatusCode, error);
        }

        throw new VemApiException(VemFailure.Rejected, $"VEM {what}: {response.Describe()} {error?.Code} {error?.Message}".TrimEnd(), response.StatusCode, error);
    }

    private static T Deserialize<T>(ApiResponse response, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(response.Content ?? "", VemAdapter.Json)
                ?? throw new VemApiException(VemFailure.InvalidResponse, $"VEM {what}: empty answer.", response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new VemApiException(VemFailure.InvalidResponse, $"VEM {what}: answer is not the expected JSON ({ex.Path}).", response.StatusCode, null, ex);
        }
    }

    public void Dispose()
    {
        transport.Dispose();
        tokenTransport?.Dispose();
        authLock.Dispose();
    }
}
