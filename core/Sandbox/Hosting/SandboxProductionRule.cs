using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Middleware.Sandbox.Hosting;

/// <summary>
/// Refuses the embedded sandbox in the Production environment (the default when <c>DOTNET_ENVIRONMENT</c> is not set):
/// a site machine left on it would take fake payments and send tickets nowhere. <c>Sandbox:AllowInProduction=true</c>
/// lets it run (a demo machine), and the sandbox then logs a Warning.
/// </summary>
internal sealed class SandboxProductionRule(IHostEnvironment environment) : IValidateOptions<EmbeddedSandboxSettings>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedSandboxSettings options)
    {
        if (options.Enabled && !options.AllowInProduction && environment.IsProduction())
        {
            return ValidateOptionsResult.Fail(
                "Sandbox:Enabled is true in the Production environment: the embedded sandbox (fake Izly and VEM) must not " +
                "run on a site. Set Sandbox:Enabled=false and configure CrousApis, or run with DOTNET_ENVIRONMENT=Development " +
                "(--environment Development), or set Sandbox:AllowInProduction=true for a demo machine.");
        }

        return ValidateOptionsResult.Success;
    }
}
