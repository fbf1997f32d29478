using System.CommandLine;
using Middleware.Scripting.Testing;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl script test &lt;script-or-site-folder&gt; &lt;cases.json&gt;</c>: runs a pricing script locally (no host
/// needed) against a cases file, prints a readable diff, exits 0 when every case passes, 1 when one fails, 2 when
/// the script or the cases cannot be used. The logic lives in <see cref="ScriptTestRunner"/>; this file parses arguments.
/// </summary>
internal static class ScriptTestCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("script-or-site-folder")
        {
            Description = "A pricing .csx file, or a site folder such as scripts/sites/crous-5/ru-9 (its scripts, site.json and prices.json apply).",
        };
        var cases = new Argument<string>("cases.json")
        {
            Description = "The test cases: baskets, customers and times with the expected lines and totals (pricing), or, with \"kind\": \"mapping\", sales with the expected VEM ticket (mapping).",
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Compile the script even if a compiled copy is cached." };

        var test = new Command("test", "Run a pricing or mapping script against test cases and show what differs (a mapped ticket is also checked with VEM's rules).") { target, cases, noCache };
        test.SetAction(parse =>
            ScriptTestRunner.Run(parse.GetRequiredValue(target), parse.GetRequiredValue(cases), parse.InvocationConfiguration.Output, parse.GetValue(noCache) ? "" : null).ExitCode);

        return new Command("script", "Pricing and ticket-mapping scripts.") { test };
    }
}
