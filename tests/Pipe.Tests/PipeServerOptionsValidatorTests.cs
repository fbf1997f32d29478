namespace Middleware.Pipe.Tests;

public sealed class PipeServerOptionsValidatorTests
{
    [Fact]
    public void The_defaults_pass()
    {
        Assert.True(PipeServerOptionsValidator.ForCurrentPlatform().Validate(null, new PipeServerOptions()).Succeeded);
    }

    [Fact]
    public void Limits_and_timeouts_are_named_with_their_values_all_at_once()
    {
        var options = new PipeServerOptions
        {
            PipeName = " ",
            MaxMessageBytes = 100,
            IdempotencyRetention = TimeSpan.FromDays(1),
            HelloTimeout = TimeSpan.FromMinutes(5),
            IdleTimeout = TimeSpan.FromMinutes(1),
            MaxPendingOutputBytes = 0,
        };

        var failures = new PipeServerOptionsValidator(null).Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "Pipe:PipeName: ' ' must not be empty.",
            "Pipe:MaxMessageBytes: '100' must be at least 1024.",
            "Pipe:IdempotencyRetention: '1.00:00:00' must be at least 7 days (protocol rule).",
            "Pipe:IdleTimeout: '00:01:00' must be at least Pipe:HelloTimeout (00:05:00).",
            "Pipe:MaxPendingOutputBytes: '0' must be at least 4096.",
        ], failures);
    }

    [Fact]
    public void Unknown_accounts_and_group_are_named_with_their_path()
    {
        var known = new HashSet<string> { "caisse1", "tills" };
        var validator = new PipeServerOptionsValidator((name, _) => known.Contains(name));
        var options = new PipeServerOptions { AllowedUsers = ["caisse1", "caisse2", ""], OperatorUsers = ["admin"], AllowedGroup = "tils" };

        var failures = validator.Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "Pipe:AllowedUsers:1: 'caisse2' is not a user of this system.",
            "Pipe:AllowedUsers:2: '' is empty; name an account or a numeric id.",
            "Pipe:OperatorUsers:0: 'admin' is not a user of this system.",
            "Pipe:AllowedGroup: 'tils' is not a group of this system.",
        ], failures);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void On_this_system_real_accounts_and_numeric_ids_pass_and_a_made_up_name_does_not()
    {
        var validator = PipeServerOptionsValidator.ForCurrentPlatform();
        var ok = new PipeServerOptions { AllowedUsers = ["root", "4242"], AllowedGroup = "root" };
        var bad = new PipeServerOptions { AllowedUsers = ["mw-no-such-user"], AllowedGroup = "mw-no-such-group" };

        Assert.True(validator.Validate(null, ok).Succeeded);
        Assert.Equal(2, validator.Validate(null, bad).Failures!.Count());
    }
}
