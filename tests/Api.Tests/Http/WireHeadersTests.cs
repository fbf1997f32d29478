using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Api.Izly;
using Middleware.Api.Secrets;
using Middleware.Api.Tests.Support;
using Middleware.Api.Tests.Vem;
using Middleware.Api.Vem;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;

namespace Middleware.Api.Tests.Http;

/// <summary>
/// The requests on the wire are the ones RestSharp sent before the lean transport: the same request lines (paths and
/// queries escaped the same way), headers (User-Agent, Accept, Content-Type, Authorization, AppIdentifier,
/// Accept-Encoding) and body bytes. The reference was recorded from the RestSharp transport with these very calls
/// (Fixtures/wire/requests-before-restsharp.txt); header order is not compared, nor the port.
/// </summary>
public sealed class WireHeadersTests
{
    private const string Answer = """{"idTransactionIzly":"7","status":1,"balanceAfter":100,"operationDate":"2026-11-26T10:00:00+00:00","token":"t","expiresIn":600,"access_token":"a","expires_in":600,"orderId":"o-1"}""";

    [Fact]
    public async Task Every_kind_of_call_goes_out_as_RestSharp_sent_it()
    {
        await using var server = new RawHttpServer(RawHttpServer.Json(200, Answer));
        await MakeTheRecordedCallsAsync(server.BaseUrl);

        var expected = Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "wire", "requests-before-restsharp.txt")));
        var actual = server.Requests.ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (line, headers, body) = expected[i];
            Assert.Equal(line, actual[i].RequestLine);
            Assert.Equal(headers, Normalized(actual[i].Headers));
            Assert.Equal(body, Encoding.UTF8.GetString(actual[i].Body));
        }
    }

    internal static async Task MakeTheRecordedCallsAsync(Uri baseUrl)
    {
        var pos = ApiHarness.Pos.ToString();
        var keys = new IzlyKeyStore(new NoVem());
        keys.Set(ApiHarness.Pos, "k");
        using var izly = new IzlyClient(new IzlyOptions { BaseUrl = baseUrl }, keys, TimeProvider.System, NullLogger<IzlyClient>.Instance);
        var card = new CardMedium(new CardIdentity("36000001", "04A1B2C3D40001", CardTechnology.Desfire, "r", "SAM-01", true));
        await izly.DebitAsync(new DebitRequest(pos, "o-1", 3.30m, card), default);
        await izly.GetDebitAsync(pos, "o 1/é", default);
        await izly.GetWebPaymentAsync(pos, "op1", "o-1", default);
        // The answer has no payment URL: the creation is refused after it went out, which is all this test looks at.
        await Assert.ThrowsAsync<IzlyUnavailableException>(() => izly.StartWebPaymentAsync(pos, "o-2", 1.5m, "msg é", new Uri("https://cb.example/x"), null, default));

        var env = new Dictionary<string, string?> { [SecretStore.InstallationKeyVariableFor(ApiHarness.Pos)] = "ik", [SecretStore.OAuthClientSecretVariable] = "sec" };
        var secrets = new SecretStore(new SecretsOptions(), n => env.GetValueOrDefault(n));
        using var vem = new VemClient(new VemOptions { BaseUrl = baseUrl }, secrets, TimeProvider.System, NullLogger<VemClient>.Instance);
        await Assert.ThrowsAsync<VemApiException>(() => vem.GetArticlesAsync(ApiHarness.Pos, true, default)); // an object, not a list
        await vem.UploadTicketAsync(ApiHarness.Pos, VemClientIntegrationTests.Ticket("9", "N9", 3.3m), true, default);
        await vem.UpdateWhizOrderStatusAsync(ApiHarness.Pos, "c 1", WhizOrderStatus.Prete, default);
        using var oauth = new VemClient(new VemOptions { BaseUrl = baseUrl, AuthScheme = VemAuthScheme.OAuth2ClientCredentials, OAuthClientId = "cid" }, secrets, TimeProvider.System, NullLogger<VemClient>.Instance);
        await Assert.ThrowsAsync<VemApiException>(() => oauth.GetTvaAsync(ApiHarness.Pos, default));
    }

    private static List<(string Line, List<string> Headers, string Body)> Parse(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(block => block.Split('\n'))
            .Select(lines => (lines[0], lines.Skip(1).Where(l => l.Contains(": ", StringComparison.Ordinal) && !l.StartsWith('{')).Order(StringComparer.Ordinal).ToList(),
                lines.Skip(1).FirstOrDefault(l => l.StartsWith('{')) ?? ""))
            .ToList();

    private static List<string> Normalized(IReadOnlyList<(string Name, string Value)> headers) =>
        headers.Select(h => h.Name == "Host" ? "Host: 127.0.0.1:PORT" : h.Name + ": " + h.Value).Order(StringComparer.Ordinal).ToList();
}
