using Microsoft.Extensions.Options;

namespace Middleware.Host.Tests.Configuration;

public sealed class StartupRefusalTests
{
    [Fact]
    public void Every_failure_of_every_refused_section_is_listed_once_under_one_header()
    {
        var error = new AggregateException(
            new OptionsValidationException("", typeof(object), ["Pipe:PipeName: ' ' must not be empty.", "Pipe:MaxMessageBytes: '1' must be at least 1024."]),
            new OptionsValidationException("", typeof(object), ["PointsOfSale:0:Id: 'x' is not a point of sale id."]),
            new OptionsValidationException("", typeof(object), ["Pipe:PipeName: ' ' must not be empty."]));
        var output = new StringWriter();

        StartupRefusal.Write(output, StartupRefusal.Failures(error)!);

        Assert.Equal(
            "The middleware host refuses to start: 3 configuration errors." + Environment.NewLine +
            "  - Pipe:PipeName: ' ' must not be empty." + Environment.NewLine +
            "  - Pipe:MaxMessageBytes: '1' must be at least 1024." + Environment.NewLine +
            "  - PointsOfSale:0:Id: 'x' is not a point of sale id." + Environment.NewLine,
            output.ToString());
    }

    [Fact]
    public void Another_error_is_not_taken_for_a_refused_configuration()
    {
        Assert.Null(StartupRefusal.Failures(new IOException("disk full")));
        Assert.Null(StartupRefusal.Failures(new AggregateException(new OptionsValidationException("", typeof(object), ["a"]), new IOException("b"))));
    }

    [Fact]
    public async Task A_value_that_does_not_bind_is_refused_naming_its_setting_and_value()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        var builder = MiddlewareHost.CreateBuilder(["--Pipe:PipeName=mwb-" + Guid.NewGuid().ToString("N")[..10], "--Host:Mode=console", "--Payments:DebitTimeout=abc", .. HostStartTests.SandboxArguments(root)], root);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["Failed to convert configuration value 'abc' at 'Payments:DebitTimeout' to type 'System.TimeSpan'."], StartupRefusal.Failures(error));
        Assert.False(File.Exists(Path.Combine(root, "tickets.db")));
    }
}
