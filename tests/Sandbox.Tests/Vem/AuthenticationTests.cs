using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Vem;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Installation_key_gives_a_token_in_header_and_body_that_reads_the_till()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var r = await h.AuthenticateAsync("5-1-9-8-14", SandboxHarness.Key(SandboxSeed.MainTill));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var header = r.Headers.GetValues("Authorization").Single();
        var body = await SandboxHarness.JsonAsync(r);
        Assert.Equal(header, body.GetProperty("token").GetString());
        Assert.Equal(3600, body.GetProperty("expiresIn").GetInt32());
        Assert.Equal(3, header.Split('.').Length);

        using var caisse = await h.GetVemAsync("caisse", header);
        Assert.Equal(HttpStatusCode.OK, caisse.StatusCode);
        var c = await SandboxHarness.JsonAsync(caisse);
        Assert.Equal(14, c.GetProperty("idCaisse").GetInt32());
        Assert.Equal(h.Seed.PointOfSale(SandboxSeed.MainTill).CleIzly, c.GetProperty("cleIzly").GetString());

        // Sent back as "Bearer x" works too.
        using var bearer = await h.GetVemAsync("tva", "Bearer " + header);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }

    [Fact]
    public async Task Bad_key_key_of_another_till_and_unknown_till_get_401()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var bad = await h.AuthenticateAsync("5-1-9-8-14", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal("-3", (await SandboxHarness.ErrorAsync(bad)).Code);
        using var other = await h.AuthenticateAsync("5-1-9-8-14", SandboxHarness.Key(SandboxSeed.SecondTill));
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        using var unknown = await h.AuthenticateAsync("5-1-9-8-99", SandboxHarness.Key(SandboxSeed.MainTill));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        using var env = await h.AuthenticateAsync("5-1-9-8-14", SandboxHarness.Key(SandboxSeed.MainTill), env: "DEV");
        Assert.Equal(HttpStatusCode.BadRequest, env.StatusCode);
    }

    [Fact]
    public async Task Revoked_key_gets_403_and_revoking_at_run_time_turns_live_tokens_to_403()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var revoked = await h.AuthenticateAsync(SandboxSeed.RevokedTill.ToString(), SandboxHarness.Key(SandboxSeed.RevokedTill));
        Assert.Equal(HttpStatusCode.Forbidden, revoked.StatusCode);

        var token = await h.TokenAsync();
        await h.Server.SetKeyRevokedAsync(SandboxSeed.MainTill, true);
        using var after = await h.GetVemAsync("tva", token);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        using var reauth = await h.AuthenticateAsync("5-1-9-8-14", SandboxHarness.Key(SandboxSeed.MainTill));
        Assert.Equal(HttpStatusCode.Forbidden, reauth.StatusCode);

        await h.Server.SetKeyRevokedAsync(SandboxSeed.MainTill, false);
        using var restored = await h.GetVemAsync("tva", await h.TokenAsync());
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
    }

    [Fact]
    public async Task Token_of_one_till_is_forbidden_on_another_and_missing_or_forged_tokens_get_401()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync(SandboxSeed.MainTill);
        using var other = await h.GetVemAsync("tva", token, SandboxSeed.SecondTill);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        using var none = await h.GetVemAsync("tva", "");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        var forged = token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA");
        using var bad = await h.GetVemAsync("tva", forged);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
    }

    [Fact]
    public async Task Token_expires_after_its_lifetime_on_the_injected_clock()
    {
        await using var h = await SandboxHarness.StartAsync(o => o.VemTokenLifetime = TimeSpan.FromMinutes(10));
        var token = await h.TokenAsync();
        h.Time.Advance(TimeSpan.FromMinutes(9));
        using (var ok = await h.GetVemAsync("tva", token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        h.Time.Advance(TimeSpan.FromMinutes(1));
        using var expired = await h.GetVemAsync("tva", token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", (await SandboxHarness.ErrorAsync(expired)).Message, StringComparison.OrdinalIgnoreCase);
        using var fresh = await h.GetVemAsync("tva", await h.TokenAsync());
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task OAuth_client_credentials_token_reads_every_till_and_expires()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await OAuthTokenAsync(h, SandboxSeed.OAuthClientId, SandboxSeed.OAuthClientSecret);
        foreach (var pos in new[] { SandboxSeed.MainTill, SandboxSeed.CafeteriaTill })
        {
            using var r = await h.GetVemAsync("articles", "Bearer " + token, pos);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        h.Time.Advance(TimeSpan.FromHours(2));
        using var expired = await h.GetVemAsync("articles", "Bearer " + token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task OAuth_refuses_a_bad_secret_and_another_grant()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var bad = await OAuthAsync(h, SandboxSeed.OAuthClientId, "nope");
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        using var grant = await OAuthAsync(h, SandboxSeed.OAuthClientId, SandboxSeed.OAuthClientSecret, "password");
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
    }

    [Fact]
    public async Task Expire_all_tokens_now_expires_both_schemes_and_new_tokens_work()
    {
        await using var h = await SandboxHarness.StartAsync();
        var vem = await h.TokenAsync();
        var oauth = "Bearer " + await OAuthTokenAsync(h, SandboxSeed.OAuthClientId, SandboxSeed.OAuthClientSecret);
        await h.Server.Faults.ExpireTokensNowAsync();
        foreach (var t in new[] { vem, oauth })
        {
            using var r = await h.GetVemAsync("tva", t);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        using var fresh = await h.GetVemAsync("tva", await h.TokenAsync());
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        // The same switch over HTTP.
        var again = await h.TokenAsync();
        using (var admin = await h.Http.PostAsync("_sandbox/tokens/expire", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, admin.StatusCode);
        }

        using var after = await h.GetVemAsync("tva", again);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    internal static async Task<string> OAuthTokenAsync(SandboxHarness h, string id, string secret)
    {
        using var r = await OAuthAsync(h, id, secret);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await SandboxHarness.JsonAsync(r);
        Assert.Equal(7200, body.GetProperty("expires_in").GetInt32());
        return body.GetProperty("access_token").GetString()!;
    }

    private static Task<HttpResponseMessage> OAuthAsync(SandboxHarness h, string id, string secret, string grant = "client_credentials")
    {
        var req = new HttpRequestMessage(HttpMethod.Post, $"api/oauth/token?grant_type={grant}");
        req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
        return h.Http.SendAsync(req);
    }
}
