using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Middleware.Api.Http;
using Middleware.Api.Secrets;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;

namespace Middleware.Api.Vem;

/// <summary>The VEM client over one pooled HTTP handler per base address. Wire details live in <see cref="VemAdapter"/>.</summary>
internal sealed class VemClient : IVemClient, IDisposable
{
    private readonly VemOptions options;
    private readonly SecretStore secrets;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ApiConnection connection;
    private readonly ApiConnection? tokenConnection;
    private readonly ApiTransport transport;
    private readonly ApiTransport? tokenTransport;

    // Installation-key tokens by point of sale; the OAuth2 token is one for all.
    private readonly ConcurrentDictionary<PointOfSaleId, VemToken> tokens = new();
    private VemToken? oauthToken;

    // The ticket path of each point of sale and online flag, made once (a sale's upload is on the hot path).
    private readonly ConcurrentDictionary<(PointOfSaleId, bool), string> ticketPaths = new();
    private readonly SemaphoreSlim authLock = new(1, 1);
    private int authentications;

    public VemClient(VemOptions options, SecretStore secrets, TimeProvider time, ILogger<VemClient> logger, HttpMessageHandler? handler = null)
    {
        this.options = options;
        this.secrets = secrets;
        this.time = time;
        this.logger = logger;
        connection = new ApiConnection(handler);
        transport = new ApiTransport(connection, options.BaseUrl, options.Timeout, options.Retry, options.MaxResponseBytes, time);
        if (options.AuthScheme == VemAuthScheme.OAuth2ClientCredentials && options.OAuthTokenUrl is { } tokenUrl)
        {
            var authority = new Uri(tokenUrl.GetLeftPart(UriPartial.Authority));
            // The token endpoint on another host has its own pool; on VEM's host it shares VEM's.
            if (Uri.Compare(authority, new Uri(options.BaseUrl.GetLeftPart(UriPartial.Authority)), UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                tokenConnection = new ApiConnection(handler);
            }

            tokenTransport = new ApiTransport(tokenConnection ?? connection, authority, options.Timeout, options.Retry, options.MaxResponseBytes, time);
        }
    }

    /// <summary>The pooled handler of VEM's base address (tests check every call goes through it).</summary>
    internal HttpMessageHandler Handler => connection.Handler;

    /// <summary>How many times a token was obtained (diagnostics and tests).</summary>
    internal int Authentications => Volatile.Read(ref authentications);

    public async Task<VemCaisse> GetCaisseAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken)
    {
        var response = await GetResourceAsync(pointOfSale, VemAdapter.Caisse, cancellationToken).ConfigureAwait(false);
        return Deserialize(response, ApiJsonContext.Default.VemCaisse, VemAdapter.Caisse);
    }

    public Task<IReadOnlyList<VemTva>> GetTvaAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.Tva, ApiJsonContext.Default.ListVemTva, cancellationToken);

    public Task<IReadOnlyList<VemArticle>> GetArticlesAsync(PointOfSaleId pointOfSale, bool versBornesPrepaiement, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.Articles, ApiJsonContext.Default.ListVemArticle, cancellationToken, ("versBornesPrepaiement", VemAdapter.Flag(versBornesPrepaiement)));

    public Task<IReadOnlyList<VemSociete>> GetSocietesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.Societes, ApiJsonContext.Default.ListVemSociete, cancellationToken);

    public Task<IReadOnlyList<VemSocieteTarif>> GetSocietesTarifsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.SocietesTarifs, ApiJsonContext.Default.ListVemSocieteTarif, cancellationToken);

    public Task<IReadOnlyList<VemPeriode>> GetPeriodesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.Periodes, ApiJsonContext.Default.ListVemPeriode, cancellationToken);

    public Task<IReadOnlyList<VemSocieteTarifPeriode>> GetSocietesTarifsPeriodeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.SocietesTarifsPeriode, ApiJsonContext.Default.ListVemSocieteTarifPeriode, cancellationToken);

    public Task<IReadOnlyList<VemArticlePrix>> GetArticlesSocietesTarifsPeriodesAsync(PointOfSaleId pointOfSale, bool periodesFutures, bool versBornesPrepaiement, CancellationToken cancellationToken) =>
        GetListAsync(
            pointOfSale,
            VemAdapter.ArticlesSocietesTarifsPeriodes,
            ApiJsonContext.Default.ListVemArticlePrix,
            cancellationToken,
            ("periodesFutures", VemAdapter.Flag(periodesFutures)),
            ("versBornesPrepaiement", VemAdapter.Flag(versBornesPrepaiement)));

    public Task<IReadOnlyList<VemDroitEntreeType>> GetDroitsEntreeTypesAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.DroitsEntreeTypes, ApiJsonContext.Default.ListVemDroitEntreeType, cancellationToken);

    public Task<IReadOnlyList<VemDroitEntree>> GetDroitsEntreeAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.DroitsEntree, ApiJsonContext.Default.ListVemDroitEntree, cancellationToken);

    public Task<IReadOnlyList<VemSubvention>> GetSubventionsAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) =>
        GetListAsync(pointOfSale, VemAdapter.Subventions, ApiJsonContext.Default.ListVemSubvention, cancellationToken);

    public async Task<TicketUploadResult> UploadTicketAsync(PointOfSaleId pointOfSale, VemTicket ticket, bool versCommandeEnLigne, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(ticket, ApiJsonContext.Default.VemTicket);
        ApiResponse response;
        try
        {
            // SafeToRepeat: VEM dedups by idTicketEntete (§4: a repeat answers 200 with the first result).
            response = await SendAuthorizedAsync(
                pointOfSale,
                new ApiRequest(HttpMethod.Post, TicketPath(pointOfSale, versCommandeEnLigne), body),
                CallSafety.SafeToRepeat,
                cancellationToken).ConfigureAwait(false);
        }
        catch (VemApiException ex)
        {
            logger.LogWarning("VEM ticket {IdTicketEntete} for {PointOfSale} not sent: {Failure} {Reason}", ticket.IdTicketEntete, pointOfSale, ex.Failure, ex.Message);
            return new TicketUploadResult(TicketUploadOutcome.TransientFailure, ticket.IdTicketEntete, null, ex.Error, ex.HttpStatus, ex.Message);
        }

        var result = VemAdapter.MapTicketResponse(response, ticket.IdTicketEntete);
        var level = result.Outcome == TicketUploadOutcome.TransientFailure ? LogLevel.Warning : LogLevel.Information;
        if (logger.IsEnabled(level))
        {
            VemLog.TicketSent(logger, level, ticket.IdTicketEntete, pointOfSale, result.Outcome, response.Describe(), result.Error?.Code, result.Detail);
        }

        return result;
    }

    public async Task<WhizOrderCreated> CreateWhizOrderAsync(PointOfSaleId pointOfSale, WhizOrder order, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(order, ApiJsonContext.Default.WhizOrder);
        var response = await SendAuthorizedAsync(
            pointOfSale,
            new ApiRequest(HttpMethod.Post, VemAdapter.WhizOrdersPath(pointOfSale), body),
            CallSafety.SendOnce,
            cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "whiz order");
        return Deserialize(response, ApiJsonContext.Default.WhizOrderCreated, "whiz order");
    }

    public async Task UpdateWhizOrderStatusAsync(PointOfSaleId pointOfSale, string idCommande, WhizOrderStatus status, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new VemAdapter.WhizStatusBody(VemAdapter.WhizStatus(status)), ApiJsonContext.Default.WhizStatusBody);
        var response = await SendAuthorizedAsync(
            pointOfSale,
            new ApiRequest(HttpMethod.Patch, VemAdapter.WhizOrderPath(pointOfSale, idCommande), body),
            CallSafety.SafeToRepeat,
            cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "whiz status");
    }

    /// <summary>Forgets cached tokens (tests, key rotation).</summary>
    internal void ForgetTokens()
    {
        tokens.Clear();
        Volatile.Write(ref oauthToken, null);
    }

    private string TicketPath(PointOfSaleId pointOfSale, bool versCommandeEnLigne) =>
        ticketPaths.GetOrAdd(
            (pointOfSale, versCommandeEnLigne),
            static key => ApiRequest.WithQuery(VemAdapter.TicketPath(key.Item1), VemAdapter.TicketOnlineOrderQuery, VemAdapter.Flag(key.Item2)));

    private async Task<IReadOnlyList<T>> GetListAsync<T>(PointOfSaleId pointOfSale, string resource, JsonTypeInfo<List<T>> type, CancellationToken cancellationToken, params (string Name, string Value)[] query)
    {
        var response = await GetResourceAsync(pointOfSale, resource, cancellationToken, query).ConfigureAwait(false);
        return Deserialize(response, type, resource);
    }

    private async Task<ApiResponse> GetResourceAsync(PointOfSaleId pointOfSale, string resource, CancellationToken cancellationToken, params (string Name, string Value)[] query)
    {
        var path = VemAdapter.ResourcePath(pointOfSale, resource);
        foreach (var (name, value) in query)
        {
            path = ApiRequest.WithQuery(path, name, value);
        }

        var response = await SendAuthorizedAsync(pointOfSale, new ApiRequest(HttpMethod.Get, path), CallSafety.SafeToRepeat, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, resource);
        return response;
    }

    private async Task<ApiResponse> SendAuthorizedAsync(PointOfSaleId pointOfSale, ApiRequest request, CallSafety safety, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(pointOfSale, null, cancellationToken).ConfigureAwait(false);
        request.Authorization = token.Authorization;
        request.Accept = ApiRequest.JsonAccept;
        var response = await transport.SendAsync(request, safety, cancellationToken).ConfigureAwait(false);
        if (VemAdapter.IsAuthenticationRefused(response))
        {
            // §2.1 (esup-sgc practice): re-authenticate once and retry once. A 401/403 was not processed, so
            // the retry is safe even for calls sent once.
            logger.LogInformation("VEM refused the token for {PointOfSale} ({Status}): re-authenticating once", pointOfSale, response.StatusCode);
            token = await GetTokenAsync(pointOfSale, token.Authorization, cancellationToken).ConfigureAwait(false);
            request.Authorization = token.Authorization;
            response = await transport.SendAsync(request, safety, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    // A usable cached token (every call but one an hour) costs no task: the renewal is the only asynchronous part.
    private ValueTask<VemToken> GetTokenAsync(PointOfSaleId pointOfSale, string? rejected, CancellationToken cancellationToken) =>
        IsUsable(options.AuthScheme == VemAuthScheme.OAuth2ClientCredentials, pointOfSale, rejected, out var cached)
            ? ValueTask.FromResult(cached)
            : new ValueTask<VemToken>(RenewTokenAsync(pointOfSale, rejected, cancellationToken));

    private async Task<VemToken> RenewTokenAsync(PointOfSaleId pointOfSale, string? rejected, CancellationToken cancellationToken)
    {
        var oauth = options.AuthScheme == VemAuthScheme.OAuth2ClientCredentials;
        VemToken cached;
        await authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have renewed it while this one waited.
            if (IsUsable(oauth, pointOfSale, rejected, out cached))
            {
                return cached;
            }

            VemToken token;
            if (oauth)
            {
                token = await AuthenticateOAuthAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref oauthToken, token);
            }
            else
            {
                token = await AuthenticateInstallationKeyAsync(pointOfSale, cancellationToken).ConfigureAwait(false);
                tokens[pointOfSale] = token;
            }

            Interlocked.Increment(ref authentications);
            logger.LogInformation("VEM token obtained for {PointOfSale} by {Scheme}, valid until {ExpiresAt:O}", oauth ? "oauth" : pointOfSale.ToString(), options.AuthScheme, token.ExpiresAt);
            return token;
        }
        finally
        {
            authLock.Release();
        }
    }

    private bool IsUsable(bool oauth, PointOfSaleId pointOfSale, string? rejected, out VemToken token)
    {
        var found = oauth ? Volatile.Read(ref oauthToken) : tokens.GetValueOrDefault(pointOfSale);
        token = found!;
        return found is not null && found.Authorization != rejected && time.GetUtcNow() < found.ExpiresAt - options.TokenRefreshMargin;
    }

    private async Task<VemToken> AuthenticateInstallationKeyAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken)
    {
        var key = secrets.InstallationKey(pointOfSale)
            ?? throw new VemApiException(VemFailure.AuthenticationFailed, $"No VEM installation key for {pointOfSale}: set {SecretStore.InstallationKeyVariableFor(pointOfSale)} or the secrets file.");
        var body = JsonSerializer.SerializeToUtf8Bytes(VemAdapter.AuthenticateBody(options.Environment, pointOfSale, key), ApiJsonContext.Default.AuthenticateRequest);
        var response = await transport.SendAsync(new ApiRequest(HttpMethod.Post, VemAdapter.AuthenticatePath, body), CallSafety.SafeToRepeat, cancellationToken).ConfigureAwait(false);
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
        var request = new ApiRequest(HttpMethod.Post, ApiRequest.WithQuery(path, "grant_type", "client_credentials")) { Authorization = basic };
        var response = await (tokenTransport ?? transport).SendAsync(request, CallSafety.SafeToRepeat, cancellationToken).ConfigureAwait(false);
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
        throw new VemApiException(failure, $"VEM refused the {what} ({response.Describe()}).", response.StatusCode, VemAdapter.ReadError(response));
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

        var error = VemAdapter.ReadError(response);
        if (VemAdapter.IsAuthenticationRefused(response))
        {
            throw new VemApiException(VemFailure.AuthenticationFailed, $"VEM {what}: token refused after one re-authentication ({response.Describe()}).", response.StatusCode, error);
        }

        throw new VemApiException(VemFailure.Rejected, $"VEM {what}: {response.Describe()} {error?.Code} {error?.Message}".TrimEnd(), response.StatusCode, error);
    }

    private static T Deserialize<T>(ApiResponse response, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body.Span, type)
                ?? throw new VemApiException(VemFailure.InvalidResponse, $"VEM {what}: empty answer.", response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new VemApiException(VemFailure.InvalidResponse, $"VEM {what}: answer is not the expected JSON ({ex.Path}).", response.StatusCode, null, ex);
        }
    }

    public void Dispose()
    {
        connection.Dispose();
        tokenConnection?.Dispose();
        authLock.Dispose();
    }
}
