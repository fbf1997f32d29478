using Middleware.Api.Reference;

namespace Middleware.Api.Tests.Reference;

public sealed class ReferenceOptionsValidatorTests
{
    [Fact]
    public void The_defaults_pass_and_a_schedule_that_would_spin_is_refused()
    {
        Assert.True(new ReferenceOptionsValidator().Validate(null, new ReferenceOptions()).Succeeded);

        var failures = new ReferenceOptionsValidator().Validate(null, new ReferenceOptions
        {
            DatabasePath = "",
            SyncInterval = TimeSpan.Zero,
            RetryBaseDelay = TimeSpan.FromMinutes(20),
        }).Failures!.ToList();

        Assert.Equal(
        [
            "CrousApis:Reference:DatabasePath: '' is empty; name the SQLite file of the reference data.",
            "CrousApis:Reference:SyncInterval: '00:00:00' must be positive.",
            "CrousApis:Reference:RetryMaxDelay: '00:15:00' must be at least CrousApis:Reference:RetryBaseDelay (00:20:00).",
        ], failures);
    }
}
