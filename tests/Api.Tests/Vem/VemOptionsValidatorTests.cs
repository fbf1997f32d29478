using Middleware.Api.Vem;

namespace Middleware.Api.Tests.Vem;

public sealed class VemOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(VemOptions options, bool sandbox = false) =>
        new VemOptionsValidator(sandbox).Validate(null, options).Failures?.ToList() ?? [];

    [Theory]
    [InlineData("https://api.nuonet.fr", false)]
    [InlineData("http://127.0.0.1:5080", false)]
    [InlineData("http://localhost:5080", false)]
    [InlineData("http://[::1]:5080", false)]
    [InlineData("http://sandbox.lan:5080", true)]
    public void Https_anywhere_and_http_on_loopback_or_beside_the_sandbox_pass(string url, bool sandbox)
    {
        Assert.Empty(Failures(new VemOptions { BaseUrl = new Uri(url, UriKind.RelativeOrAbsolute) }, sandbox));
    }

    [Theory]
    [InlineData("vem/v1", "is not an absolute http or https URL")]
    [InlineData("ftp://api.nuonet.fr", "is not an absolute http or https URL")]
    [InlineData("http://api.nuonet.fr", "must use https")]
    public void A_relative_url_another_scheme_or_plain_http_to_another_machine_is_named_with_its_value(string url, string reason)
    {
        var failure = Assert.Single(Failures(new VemOptions { BaseUrl = new Uri(url, UriKind.RelativeOrAbsolute) }));

        Assert.StartsWith($"CrousApis:Vem:BaseUrl: '{url}' {reason}", failure);
    }

    [Fact]
    public void Timeouts_retries_environment_and_the_oauth_client_id_are_checked_together()
    {
        var options = new VemOptions
        {
            Environment = "PROD",
            AuthScheme = VemAuthScheme.OAuth2ClientCredentials,
            Timeout = TimeSpan.Zero,
            Retry = new() { MaxRetries = -1, BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) },
            TokenRefreshMargin = TimeSpan.FromHours(2),
        };

        var failures = Failures(options);

        Assert.Contains("CrousApis:Vem:Environment: 'PROD' must be PRD or PPD.", failures);
        Assert.Contains("CrousApis:Vem:OAuthClientId: '' is empty but AuthScheme is OAuth2ClientCredentials.", failures);
        Assert.Contains("CrousApis:Vem:Timeout: '00:00:00' must be positive and at most 00:10:00.", failures);
        Assert.Contains("CrousApis:Vem:Retry:MaxRetries: '-1' must be from 0 to 10.", failures);
        Assert.Contains("CrousApis:Vem:Retry:MaxDelay: '00:00:01' must be at least CrousApis:Vem:Retry:BaseDelay (00:00:02).", failures);
        Assert.Contains("CrousApis:Vem:TokenRefreshMargin: '02:00:00' must be from 0 to less than CrousApis:Vem:DefaultTokenLifetime (01:00:00).", failures);
        Assert.Equal(6, failures.Count);
    }

    [Fact]
    public void The_defaults_pass()
    {
        Assert.Empty(Failures(new VemOptions()));
    }

    [Theory]
    [InlineData(65535)]
    [InlineData(256 * 1024 * 1024 + 1)]
    public void An_answer_size_limit_too_small_for_an_error_body_or_too_large_for_the_host_is_refused(int bytes)
    {
        var failure = Assert.Single(Failures(new VemOptions { MaxResponseBytes = bytes }));

        Assert.Equal($"CrousApis:Vem:MaxResponseBytes: '{bytes}' must be from 65536 (64 KiB) to 268435456 (256 MiB).", failure);
    }
}
