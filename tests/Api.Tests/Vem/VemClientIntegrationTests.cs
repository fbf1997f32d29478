using Microsoft.Extensions.Time.Testing;
using Middleware.Api.Http;
using Middleware.Api.Tests.Support;
using Middleware.Api.Vem;
using Middleware.Domain.Money;
using Middleware.Domain.Tickets;
using Middleware.Sandbox.Seed;

namespace Middleware.Api.Tests.Vem;

/// <summary>The VEM client against the real sandbox over HTTP.</summary>
public sealed class VemClientIntegrationTests
{
    [Fact]
    public async Task Installation_key_scheme_authenticates_once_and_reuses_the_token()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var vem = h.Vem(handler: wire);

        var tva = await vem.GetTvaAsync(ApiHarness.Pos, default);
        var articles = await vem.GetArticlesAsync(ApiHarness.Pos, false, default);

        Assert.Equal([5.5m, 10m, 20m], tva.Select(t => t.Taux).Order());
        Assert.Equal(h.Seed.Articles.Count, articles.Count);
        Assert.Equal(1, vem.Authentications);
        Assert.Equal(1, wire.Count("POST", "/vem/v1/authenticate"));
    }

    [Fact]
    public async Task OAuth2_client_credentials_scheme_works_and_never_calls_the_installation_key_endpoint()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var vem = h.Vem(h.VemOptions(VemAuthScheme.OAuth2ClientCredentials), handler: wire);

        var caisse = await vem.GetCaisseAsync(ApiHarness.Pos, default);
        var societes = await vem.GetSocietesAsync(ApiHarness.Pos, default);

        Assert.Equal(14, caisse.IdCaisse);
        Assert.Equal([10, 8000, 8024], societes.Select(s => s.CodeSociete).Order());
        Assert.Equal(1, wire.Count("POST", "/api/oauth/token"));
        Assert.Equal(0, wire.Count("POST", "/vem/v1/authenticate"));
    }

    [Fact]
    public async Task OAuth2_with_a_wrong_secret_fails_with_AuthenticationFailed()
    {
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem(h.VemOptions(VemAuthScheme.OAuth2ClientCredentials), h.Secrets(oauthSecret: "wrong"));

        var ex = await Assert.ThrowsAsync<VemApiException>(() => vem.GetTvaAsync(ApiHarness.Pos, default));
        Assert.Equal(VemFailure.AuthenticationFailed, ex.Failure);
        Assert.DoesNotContain("wrong", ex.Message, StringComparison.Ordinal); // the secret never reaches a message
    }

    [Fact]
    public async Task A_key_of_another_point_of_sale_is_refused_and_a_revoked_key_too()
    {
        await using var h = await ApiHarness.StartAsync();
        var mismatched = h.Vem(secrets: h.Secrets(SandboxSeed.MainTill));
        var ex = await Assert.ThrowsAsync<VemApiException>(() => mismatched.GetTvaAsync(SandboxSeed.SecondTill, default));
        Assert.Equal(VemFailure.AuthenticationFailed, ex.Failure);
        Assert.Contains("MW_VEM_INSTALLATION_KEY_5_1_9_8_15", ex.Message, StringComparison.Ordinal);

        var revoked = h.Vem(secrets: h.Secrets(SandboxSeed.RevokedTill));
        var ex2 = await Assert.ThrowsAsync<VemApiException>(() => revoked.GetTvaAsync(SandboxSeed.RevokedTill, default));
        Assert.Equal(VemFailure.AuthenticationFailed, ex2.Failure);
        Assert.Equal(403, ex2.HttpStatus);
    }

    [Fact]
    public async Task Tokens_expiring_mid_run_are_renewed_without_a_failed_call()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var vem = h.Vem(handler: wire);
        await vem.GetTvaAsync(ApiHarness.Pos, default);

        // VEM expires every token now: the next call gets 401, re-authenticates once and retries.
        await h.Server.Faults.ExpireTokensNowAsync();
        var societes = await vem.GetSocietesAsync(ApiHarness.Pos, default);

        Assert.NotEmpty(societes);
        Assert.Equal(2, vem.Authentications);
        Assert.Equal(1, wire.CountStatus(401));
    }

    [Fact]
    public async Task A_token_near_its_expiry_is_renewed_before_the_call_so_no_401_is_ever_seen()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var clientClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = h.VemOptions();
        options.Retry.MaxRetries = 0; // nothing may wait on the fake clock
        var vem = h.Vem(options, time: clientClock, handler: wire);
        await vem.GetTvaAsync(ApiHarness.Pos, default);

        // The sandbox token lives 1 h; 59 min 30 s later it is inside the 60 s refresh margin.
        clientClock.Advance(TimeSpan.FromMinutes(59.5));
        h.SandboxTime.Advance(TimeSpan.FromMinutes(59.5));
        await vem.GetTvaAsync(ApiHarness.Pos, default);

        Assert.Equal(2, vem.Authentications);
        Assert.Equal(0, wire.CountStatus(401));
    }

    [Fact]
    public async Task A_401_gets_exactly_one_reauthentication_and_one_retry()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var vem = h.Vem(handler: wire);
        await vem.GetTvaAsync(ApiHarness.Pos, default);

        h.Server.Faults.FailNext(1, "/vem/v1/5/periodes/*", 401);
        var periodes = await vem.GetPeriodesAsync(ApiHarness.Pos, default);
        Assert.Equal(2, periodes.Count);
        Assert.Equal(2, vem.Authentications);

        // Refused again after the re-authentication: no loop, a clear failure.
        h.Server.Faults.FailNext(10, "/vem/v1/5/societes/*", 401);
        var ex = await Assert.ThrowsAsync<VemApiException>(() => vem.GetSocietesAsync(ApiHarness.Pos, default));
        Assert.Equal(VemFailure.AuthenticationFailed, ex.Failure);
        Assert.Equal(2, wire.Count("GET", "/societes/"));
        Assert.Equal(3, vem.Authentications);
    }

    [Fact]
    public async Task GETs_are_retried_with_backoff_on_5xx_and_give_up_as_Unavailable()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var vem = h.Vem(handler: wire);

        h.Server.Faults.FailNext(2, "/vem/v1/5/tva/*", 503);
        var tva = await vem.GetTvaAsync(ApiHarness.Pos, default);
        Assert.Equal(3, tva.Count);
        Assert.Equal(3, wire.Count("GET", "/tva/"));

        h.Server.Faults.FailNext(100, "/vem/v1/5/subventions/*", 500);
        var ex = await Assert.ThrowsAsync<VemApiException>(() => vem.GetSubventionsAsync(ApiHarness.Pos, default));
        Assert.Equal(VemFailure.Unavailable, ex.Failure);
        Assert.Equal(4, wire.Count("GET", "/subventions/")); // 1 + MaxRetries 3
    }

    [Fact]
    public async Task A_hanging_VEM_times_out_per_attempt_and_the_retry_succeeds()
    {
        await using var h = await ApiHarness.StartAsync();
        var options = h.VemOptions();
        options.Timeout = TimeSpan.FromMilliseconds(1500); // generous: the retry must answer in time on a loaded CI machine
        var vem = h.Vem(options);
        await vem.GetTvaAsync(ApiHarness.Pos, default); // token first, outside the fault

        h.Server.Faults.HangNext(1, "/vem/v1/5/articles/*");
        var articles = await vem.GetArticlesAsync(ApiHarness.Pos, false, default);
        Assert.NotEmpty(articles);

        h.Server.Faults.HangNext(100, "/vem/v1/5/tva/*");
        var ex = await Assert.ThrowsAsync<VemApiException>(() => vem.GetTvaAsync(ApiHarness.Pos, default));
        Assert.Equal(VemFailure.Unavailable, ex.Failure);
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_cancellation_stops_a_call()
    {
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem();
        await vem.GetTvaAsync(ApiHarness.Pos, default);
        h.Server.Faults.HangNext(100, "/vem/v1/5/tva/*");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => vem.GetTvaAsync(ApiHarness.Pos, cts.Token));
    }

    [Fact]
    public async Task Ticket_upload_returns_Integrated_then_Duplicate_then_Rejected_with_the_rule()
    {
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem();
        var ticket = Ticket("140000011", "2611261", 3.30m);

        var first = await vem.UploadTicketAsync(ApiHarness.Pos, ticket, false, default);
        var again = await vem.UploadTicketAsync(ApiHarness.Pos, ticket, false, default);
        var bad = await vem.UploadTicketAsync(ApiHarness.Pos, Ticket("140000012", "2611262", 3.30m, paid: 3.00m), false, default);

        Assert.Equal(TicketUploadOutcome.Integrated, first.Outcome);
        Assert.Equal("INTEGRE", first.Statut);
        Assert.Equal(TicketUploadOutcome.Duplicate, again.Outcome);
        Assert.True(again.IsAccepted);
        Assert.Equal(TicketUploadOutcome.Rejected, bad.Outcome);
        Assert.Equal("-70", bad.Error!.Code);
        Assert.False(string.IsNullOrEmpty(bad.Error.Field));
        Assert.Single(await h.Server.GetTicketsAsync(ApiHarness.Pos));
    }

    [Fact]
    public async Task A_ticket_whose_answer_was_dropped_is_resent_and_recorded_once()
    {
        await using var h = await ApiHarness.StartAsync();
        var wire = new CountingHandler();
        var vem = h.Vem(handler: wire);
        await vem.GetTvaAsync(ApiHarness.Pos, default);

        // VEM stores the ticket then the connection drops: the retry is safe because VEM dedups by idTicketEntete.
        h.Server.Faults.DropAfterCommitNext(1, "/vem/v1/5/remontee-caisse/*", "POST");
        var result = await vem.UploadTicketAsync(ApiHarness.Pos, Ticket("140000021", "2611263", 3.30m), false, default);

        Assert.Equal(TicketUploadOutcome.Duplicate, result.Outcome);
        Assert.Equal(2, wire.Count("POST", "/remontee-caisse/"));
        Assert.Single(await h.Server.GetTicketsAsync(ApiHarness.Pos));
    }

    [Fact]
    public async Task Ticket_upload_with_VEM_down_is_a_TransientFailure_not_an_exception()
    {
        await using var h = await ApiHarness.StartAsync();
        var options = h.VemOptions();
        options.Retry.MaxRetries = 1;
        var vem = h.Vem(options);
        await vem.GetTvaAsync(ApiHarness.Pos, default);
        h.Server.Faults.FailNext(10, "/vem/v1/5/remontee-caisse/*", 503);

        var result = await vem.UploadTicketAsync(ApiHarness.Pos, Ticket("140000031", "2611264", 3.30m), false, default);

        Assert.Equal(TicketUploadOutcome.TransientFailure, result.Outcome);
        Assert.Equal(503, result.HttpStatus);
        Assert.Empty(await h.Server.GetTicketsAsync(ApiHarness.Pos));
    }

    [Fact]
    public async Task Whiz_order_is_created_then_its_status_updated()
    {
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem();
        var created = await vem.CreateWhizOrderAsync(ApiHarness.Pos,
            new WhizOrder("2611261", 2, ApiHarness.Start, [new WhizOrderLine(1201, "Menu étudiant", 1, "sans sauce")]), default);
        await vem.UpdateWhizOrderStatusAsync(ApiHarness.Pos, created.IdCommande, WhizOrderStatus.Prete, default);

        var stored = Assert.Single(await h.Server.GetWhizOrdersAsync());
        Assert.False(string.IsNullOrEmpty(created.NumeroAppel));
        Assert.Equal("PRETE", stored.Statut);
    }

    internal static VemTicket Ticket(string id, string numero, decimal ttc, decimal? paid = null) => new()
    {
        IdTicketEntete = id,
        NumeroTicket = numero,
        Date = ApiHarness.Start,
        VersionLogiciel = "1.0.0",
        ListeLignes =
        [
            new VemTicketLine
            {
                NumeroLigne = 1, CodeArticle = 1201, Quantite = 1, CodeTva = 1,
                PrixUnitaireTtc = ttc, PrixUnitaireHt = Euro.HtFromTtc(ttc, 5.5m), TotalTtc = ttc, TotalHt = Euro.HtFromTtc(ttc, 5.5m),
            },
        ],
        ListeReglements = [new VemPayment { CodeReglement = CodeReglement.Cb, Montant = paid ?? ttc }],
        Complementaire = new VemComplement { CodeSocieteClient = 10, TarifClient = 1, IdLogiciel = SandboxSeed.IdLogiciel },
    };
}
