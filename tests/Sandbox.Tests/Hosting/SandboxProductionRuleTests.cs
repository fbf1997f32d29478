using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Middleware.Sandbox.Hosting;

namespace Middleware.Sandbox.Tests.Hosting;

public sealed class SandboxProductionRuleTests
{
    [Fact]
    public void The_sandbox_is_refused_in_production_naming_both_settings()
    {
        var result = new SandboxProductionRule(new Environment(Environments.Production)).Validate(null, new EmbeddedSandboxSettings { Enabled = true });

        Assert.True(result.Failed);
        Assert.Contains("Sandbox:Enabled", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Sandbox:AllowInProduction", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", false, false)] // sandbox off: what a site runs
    [InlineData("Production", true, true)]   // allowed: a demo machine (it warns at start)
    [InlineData("Development", true, false)] // tests, run-sandbox.sh
    [InlineData("Staging", true, false)]
    public void Everything_else_passes(string environment, bool enabled, bool allowInProduction)
    {
        var settings = new EmbeddedSandboxSettings { Enabled = enabled, AllowInProduction = allowInProduction };

        var result = new SandboxProductionRule(new Environment(environment)).Validate(null, settings);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
