using Middleware.Api.Izly;

namespace Middleware.Api.Tests.Izly;

public sealed class IzlyOptionsValidatorTests
{
    [Fact]
    public void The_defaults_pass()
    {
        Assert.True(new IzlyOptionsValidator(sandbox: false).Validate(null, new IzlyOptions()).Succeeded);
    }

    [Fact]
    public void Each_bad_value_is_named_with_its_setting()
    {
        var options = new IzlyOptions
        {
            BaseUrl = new Uri("http://rest.izly.fr"),
            DebitTimeout = TimeSpan.FromMinutes(11),
            OperationsPageSize = 501,
            MaxOperations = 10,
            MaxOperationsRange = TimeSpan.FromDays(40),
            MaxResponseBytes = 1000,
        };

        var failures = new IzlyOptionsValidator(sandbox: false).Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "CrousApis:Izly:BaseUrl: 'http://rest.izly.fr' must use https: plain http is only for this machine (loopback) or the embedded sandbox.",
            "CrousApis:Izly:DebitTimeout: '00:11:00' must be positive and at most 00:10:00.",
            "CrousApis:Izly:MaxResponseBytes: '1000' must be from 65536 (64 KiB) to 268435456 (256 MiB).",
            "CrousApis:Izly:OperationsPageSize: '501' must be from 1 to 500.",
            "CrousApis:Izly:MaxOperations: '10' must be at least CrousApis:Izly:OperationsPageSize (501).",
            "CrousApis:Izly:MaxOperationsRange: '40.00:00:00' must be positive and at most 31 days.",
        ], failures);
    }
}
