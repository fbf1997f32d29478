using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Middleware.Sandbox.Tests.Izly;

public sealed class QrCodeTests
{
    [Fact]
    public async Task A_fresh_QR_code_finds_its_holder_and_pays_once()
    {
        await using var h = await SandboxHarness.StartAsync();
        var qr = h.Server.IssueQrCode("1000001");
        Assert.Matches(@"^AIZ;5a1d0000-0000-4000-8000-000000000001;2026-11-26 10:00:00;3;[0-9A-F]{64};[A-Za-z0-9+/=]+$", qr);
        using (var s = await h.SearchQrAsync(qr))
        {
            Assert.Equal(HttpStatusCode.OK, s.StatusCode);
            Assert.Equal("1000001", (await SandboxHarness.JsonAsync(s)).GetProperty("identifier").GetString());
        }

        using (var d = await h.DebitQrAsync(qr, 330, "qr-1"))
        {
            Assert.Equal(HttpStatusCode.OK, d.StatusCode);
            Assert.Equal(1195, (await SandboxHarness.JsonAsync(d)).GetProperty("balanceAfter").GetInt64());
        }

        // Replaying the same order is idempotent, a new order with the same code is refused as reused.
        using (var replay = await h.DebitQrAsync(qr, 330, "qr-1"))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        using var reused = await h.DebitQrAsync(qr, 330, "qr-2");
        Assert.Equal((HttpStatusCode)422, reused.StatusCode);
        Assert.Equal("-62", (await SandboxHarness.ErrorAsync(reused)).Code);
        using var search = await h.SearchQrAsync(qr);
        Assert.Equal("-62", (await SandboxHarness.ErrorAsync(search)).Code);
        Assert.Equal(1195, await h.Server.GetBalanceAsync("1000001"));
    }

    [Fact]
    public async Task Expired_bad_signature_unknown_user_and_malformed_codes_get_distinct_errors()
    {
        await using var h = await SandboxHarness.StartAsync();

        var old = h.Server.IssueQrCode("1000001");
        h.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        using (var expired = await h.DebitQrAsync(old, 100, "e"))
        {
            Assert.Equal((HttpStatusCode)422, expired.StatusCode);
            Assert.Equal("-61", (await SandboxHarness.ErrorAsync(expired)).Code);
        }

        // Signed by another user's key: the signature does not verify.
        var mine = h.Server.IssueQrCode("1000001");
        var others = h.Server.IssueQrCode("1000002");
        var forged = mine[..(mine.LastIndexOf(';') + 1)] + others[(others.LastIndexOf(';') + 1)..];
        using (var bad = await h.DebitQrAsync(forged, 100, "b"))
        {
            Assert.Equal((HttpStatusCode)422, bad.StatusCode);
            var e = await SandboxHarness.ErrorAsync(bad);
            Assert.Equal("-60", e.Code);
            Assert.Contains("signature", e.Message, StringComparison.Ordinal);
        }

        // A well-formed, correctly signed code of a user Izly does not know.
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var prefix = $"AIZ;{Guid.NewGuid()};{h.Time.GetUtcNow():yyyy-MM-dd HH:mm:ss};3;{new string('A', 64)};";
            var sig = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(prefix), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            using var unknown = await h.DebitQrAsync(prefix + sig, 100, "u");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("-42", (await SandboxHarness.ErrorAsync(unknown)).Code);
        }

        using (var malformed = await h.DebitQrAsync("hello", 100, "m"))
        {
            Assert.Equal((HttpStatusCode)422, malformed.StatusCode);
            Assert.Equal("-60", (await SandboxHarness.ErrorAsync(malformed)).Code);
        }

        using var future = await h.SearchQrAsync(h.Server.IssueQrCode("1000001", h.Time.GetUtcNow().AddMinutes(10)));
        Assert.Equal("-60", (await SandboxHarness.ErrorAsync(future)).Code);
        Assert.Equal(1525, await h.Server.GetBalanceAsync("1000001"));
        Assert.Empty(await h.Server.GetTransactionsAsync());
    }

    [Fact]
    public async Task A_QR_code_of_a_blocked_holder_is_refused_by_status()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var r = await h.DebitQrAsync(h.Server.IssueQrCode("1000008"), 100, "o");
        Assert.Equal("-41", (await SandboxHarness.ErrorAsync(r)).Code);
    }

    [Fact]
    public async Task Admin_endpoint_issues_codes_the_till_API_accepts()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var issued = await h.Http.PostAsync("_sandbox/qrcodes", new StringContent("{\"identifier\":\"1000011\"}", Encoding.UTF8, "application/json"));
        var body = await SandboxHarness.JsonAsync(issued);
        var b64 = body.GetProperty("base64").GetString()!;
        Assert.Equal(body.GetProperty("text").GetString(), Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
        using var req = h.Izly(HttpMethod.Get, $"api/rightholders/searchQRCode?qrCode={Uri.EscapeDataString(b64)}");
        using var s = await h.Http.SendAsync(req);
        Assert.Equal("1000011", (await SandboxHarness.JsonAsync(s)).GetProperty("identifier").GetString());
    }
}
