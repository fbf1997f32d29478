using Middleware.Cards.Sam;
using Xunit;

namespace Middleware.Cards.Tests.Sam;

public sealed class SoftwareSamOptionsValidatorTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mw-sam-validator-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void No_key_file_named_passes_and_a_private_one_passes()
    {
        var key = Path.Combine(directory, "sam.json");
        File.WriteAllText(key, "{}");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Assert.True(new SoftwareSamOptionsValidator().Validate(null, new SoftwareSamOptions()).Succeeded);
        Assert.True(new SoftwareSamOptionsValidator().Validate(null, new SoftwareSamOptions { KeyFile = key }).Succeeded);
    }

    [Fact]
    public void A_named_key_file_that_is_missing_or_readable_by_others_is_refused()
    {
        var missing = Path.Combine(directory, "missing.json");
        Assert.Equal($"Cards:SoftwareSam:KeyFile: '{missing}' does not exist.",
            Assert.Single(new SoftwareSamOptionsValidator().Validate(null, new SoftwareSamOptions { KeyFile = missing }).Failures!));
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var open = Path.Combine(directory, "open.json");
        File.WriteAllText(open, """{"samId":"S","keys":[{"technology":"Desfire","keyNumber":1,"key":"00112233445566778899AABBCCDDEEFF"}]}""");
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var failure = Assert.Single(new SoftwareSamOptionsValidator().Validate(null, new SoftwareSamOptions { KeyFile = open }).Failures!);

        Assert.Equal($"Cards:SoftwareSam:KeyFile: '{open}' is readable or writable by group or others (mode 640); run 'chmod 600' on it.", failure);
        Assert.DoesNotContain("00112233", failure, StringComparison.Ordinal);
    }
}
