using Middleware.Api.Secrets;

namespace Middleware.Api.Tests.Secrets;

/// <summary>The secrets file checked at start with the rule SecretStore applies: real files, real modes.</summary>
public sealed class SecretsOptionsValidatorTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mw-secrets-validator-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(UnixFileMode mode)
    {
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"vemOAuthClientSecret":"s3cret"}""");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    [Fact]
    public void No_file_named_passes_and_a_private_file_passes()
    {
        Assert.True(new SecretsOptionsValidator(_ => null).Validate(null, new SecretsOptions()).Succeeded);
        var file = Write(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.True(new SecretsOptionsValidator(_ => null).Validate(null, new SecretsOptions { File = file }).Succeeded);
    }

    [Fact]
    public void A_missing_file_is_named_by_its_setting_or_its_variable()
    {
        var missing = Path.Combine(directory, "missing.json");

        Assert.Equal($"CrousApis:Secrets:File: '{missing}' does not exist.",
            Assert.Single(new SecretsOptionsValidator(_ => null).Validate(null, new SecretsOptions { File = missing }).Failures!));
        Assert.Equal($"MW_SECRETS_FILE: '{missing}' does not exist.",
            Assert.Single(new SecretsOptionsValidator(v => v == SecretStore.SecretsFileVariable ? missing : null).Validate(null, new SecretsOptions()).Failures!));
    }

    [Fact]
    public void A_file_others_may_read_is_refused_without_quoting_its_content()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var file = Write(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var failure = Assert.Single(new SecretsOptionsValidator(_ => null).Validate(null, new SecretsOptions { File = file }).Failures!);

        Assert.Equal($"CrousApis:Secrets:File: '{file}' is readable or writable by group or others (mode 644); run 'chmod 600' on it.", failure);
        Assert.DoesNotContain("s3cret", failure, StringComparison.Ordinal);
    }
}
