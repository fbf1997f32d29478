using System.Text;
using Middleware.Api.Http;
using Middleware.Api.Vem;

namespace Middleware.Api.Tests.Vem;

public sealed class VemAdapterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static string Jwt(long exp) =>
        "eyJhbGciOiJIUzI1NiJ9." + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"exp\":{exp},\"iss\":\"api.lescrous.fr\"}}")).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".sig";

    [Fact]
    public void The_header_token_is_used_as_is_with_the_JWT_expiry()
    {
        var jwt = Jwt(Now.AddMinutes(30).ToUnixTimeSeconds());
        var token = VemAdapter.ReadInstallationToken(new ApiResponse(200, "", jwt, TransportFailure.None, null), Now, TimeSpan.FromHours(1));

        Assert.Equal(jwt, token!.Authorization);
        Assert.Equal(Now.AddMinutes(30), token.ExpiresAt);
        Assert.DoesNotContain(jwt, token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_header_the_body_token_is_sent_as_Bearer_with_expiresIn()
    {
        var token = VemAdapter.ReadInstallationToken(new ApiResponse(200, """{"token":"abc","expiresIn":600}""", null, TransportFailure.None, null), Now, TimeSpan.FromHours(1));

        Assert.Equal("Bearer abc", token!.Authorization);
        Assert.Equal(Now.AddMinutes(10), token.ExpiresAt);
        Assert.Null(VemAdapter.ReadInstallationToken(new ApiResponse(200, "{}", null, TransportFailure.None, null), Now, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void A_token_already_expired_by_our_clock_gets_the_default_lifetime()
    {
        var jwt = Jwt(Now.AddHours(-3).ToUnixTimeSeconds());
        var token = VemAdapter.ReadInstallationToken(new ApiResponse(200, "", jwt, TransportFailure.None, null), Now, TimeSpan.FromHours(1));
        Assert.Equal(Now.AddHours(1), token!.ExpiresAt);
    }

    [Fact]
    public void OAuth_tokens_are_Bearer_with_expires_in()
    {
        var token = VemAdapter.ReadOAuthToken(new ApiResponse(200, """{"access_token":"xyz","expires_in":7200}""", null, TransportFailure.None, null), Now, TimeSpan.FromHours(1));
        Assert.Equal("Bearer xyz", token!.Authorization);
        Assert.Equal(Now.AddHours(2), token.ExpiresAt);
        Assert.Null(VemAdapter.ReadOAuthToken(new ApiResponse(200, "not json", null, TransportFailure.None, null), Now, TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData(201, """{"idTicketEntete":"1","statut":"INTEGRE"}""", TicketUploadOutcome.Integrated)]
    [InlineData(200, """{"idTicketEntete":"1","statut":"INTEGRE"}""", TicketUploadOutcome.Duplicate)]
    [InlineData(422, """{"errors":[{"code":"-70","message":"R4 line 2","field":"listeLignes"}]}""", TicketUploadOutcome.Rejected)]
    [InlineData(400, "garbage", TicketUploadOutcome.Rejected)]
    [InlineData(401, "", TicketUploadOutcome.TransientFailure)]
    [InlineData(503, "", TicketUploadOutcome.TransientFailure)]
    [InlineData(429, "", TicketUploadOutcome.TransientFailure)]
    public void Ticket_answers_map_to_outcomes(int status, string body, TicketUploadOutcome expected)
    {
        var result = VemAdapter.MapTicketResponse(new ApiResponse(status, body, null, TransportFailure.None, null), "1");
        Assert.Equal(expected, result.Outcome);
        if (status == 422)
        {
            Assert.Equal(new ApiError("-70", "R4 line 2", "listeLignes"), result.Error);
        }
    }

    [Fact]
    public void A_timeout_is_a_transient_ticket_failure()
    {
        var result = VemAdapter.MapTicketResponse(ApiResponse.TimedOut(TimeSpan.FromSeconds(1)), "1");
        Assert.Equal(TicketUploadOutcome.TransientFailure, result.Outcome);
        Assert.Null(result.HttpStatus);
    }

    [Fact]
    public void Paths_follow_the_spec()
    {
        var pos = new Middleware.Domain.PointsOfSale.PointOfSaleId(5, 1, 9, 8, 14);
        Assert.Equal("/vem/v1/5/articles/5/1/9/8/14", VemAdapter.ResourcePath(pos, VemAdapter.Articles));
        Assert.Equal("/vem/v1/5/remontee-caisse/tickets/5/1/9/8/14", VemAdapter.TicketPath(pos));
        Assert.Equal("/whiz/v1/5/commandes/5/1/9/8", VemAdapter.WhizOrdersPath(pos));
        Assert.Equal("/whiz/v1/5/commandes/77", VemAdapter.WhizOrderPath(pos, "77"));
    }
}
