using Middleware.Api.Secrets;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Tests.Secrets;

public sealed class SecretStoreTests : IDisposable
{
    private static readonly PointOfSaleId Pos = new(5, 1, 9, 8, 14);
    private readonly string dir = Directory.CreateTempSubdirectory("mw-secrets-").FullName;

    [Fact]
    public void The_per_point_of_sale_variable_wins_over_the_single_one()
    {
        var env = new Dictionary<string, string?> { ["MW_VEM_INSTALLATION_KEY_5_1_9_8_14"] = "k14", ["MW_VEM_INSTALLATION_KEY"] = "single" };
        var store = new SecretStore(new SecretsOptions(), env.GetValueOrDefault);

        Assert.Equal("k14", store.InstallationKey(Pos));
        Assert.Equal("single", store.InstallationKey(Pos with { Caisse = 15 }));
        Assert.Null(new SecretStore(new SecretsOptions(), _ => null).InstallationKey(Pos));
    }

    [Fact]
    public void A_protected_file_gives_keys_and_the_OAuth_secret()
    {
        var file = Write("""{"vemInstallationKeys":{"5-1-9-8-14":"from-file"},"vemOAuthClientSecret":"s3cret"}""", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var store = new SecretStore(new SecretsOptions { File = file }, _ => null);

        Assert.Equal("from-file", store.InstallationKey(Pos));
        Assert.Equal("s3cret", store.OAuthClientSecret());
    }

    [Fact]
    public void A_file_readable_by_others_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // ACLs, not modes, protect files there
        }

        var file = Write("""{"vemOAuthClientSecret":"s3cret"}""", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var store = new SecretStore(new SecretsOptions { File = file }, _ => null);

        var ex = Assert.Throws<InvalidOperationException>(() => store.OAuthClientSecret());
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_file_is_refused_without_quoting_it()
    {
        var file = Write("""{"vemOAuthClientSecret": s3cret-unquoted}""", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var store = new SecretStore(new SecretsOptions { File = file }, _ => null);

        var ex = Assert.Throws<InvalidOperationException>(() => store.OAuthClientSecret());
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_wins_over_the_file_and_the_file_variable_is_honoured()
    {
        var file = Write("""{"vemOAuthClientSecret":"from-file"}""", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var env = new Dictionary<string, string?> { ["MW_SECRETS_FILE"] = file };
        Assert.Equal("from-file", new SecretStore(new SecretsOptions(), env.GetValueOrDefault).OAuthClientSecret());
        env["MW_VEM_OAUTH_CLIENT_SECRET"] = "from-env";
        Assert.Equal("from-env", new SecretStore(new SecretsOptions(), env.GetValueOrDefault).OAuthClientSecret());
    }

    private string Write(string json, UnixFileMode mode)
    {
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
