using System.CommandLine;
using Middleware.Cli.Rollout;
using Middleware.Scripting.Rollout;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl scripts check|deploy|rollback</c>: rolling a whole scripts folder (Crous IT's Git checkout) out to a host
/// (README "Roll out scripts"). No pipe: these work on folders, as the account that owns the installation. Exit 0
/// done, 1 the check failed (nothing deployed) or nothing to roll back, 2 the folders cannot be used.
/// </summary>
internal static class ScriptsCommand
{
    public static Command Create()
    {
        var checkFolder = new Argument<string>("folder") { Description = "A scripts folder (pricing.csx, mapping.csx, site.json, sites/...), e.g. a Git checkout" };
        var check = new Command("check", "Compile every pricing and mapping script with the host's compiler and safety checks, resolve every site, run every tests/*.cases.json; exit 1 with what failed") { checkFolder };
        check.SetAction(parse => Guarded(parse, output => ScriptFolderCheck.Run(parse.GetRequiredValue(checkFolder), output).Passed ? 0 : 1));

        var deployFolder = new Argument<string>("folder") { Description = "The scripts folder to deploy (checked again once copied)" };
        var deployTo = To();
        var deploy = new Command("deploy", "Copy the folder beside the host's scripts root, check the copy, then switch the root to it in one rename (the previous version is kept)") { deployFolder, deployTo };
        deploy.SetAction(parse => Guarded(parse, output => new ScriptDeploy(output, TimeProvider.System).Run(parse.GetRequiredValue(deployFolder), parse.GetRequiredValue(deployTo))));

        var rollbackTo = To();
        var rollback = new Command("rollback", "Switch the host's scripts root back to the previous version (again: forward to the one left)") { rollbackTo };
        rollback.SetAction(parse => Guarded(parse, output => new ScriptRollback(output).Run(parse.GetRequiredValue(rollbackTo))));

        return new Command("scripts", "Roll a scripts folder out to a host: check, deploy, rollback.") { check, deploy, rollback };
    }

    private static Option<string> To() => new("--to")
    {
        Description = "The scripts root of the host (its Scripting:ScriptsRoot, e.g. /opt/izly-middleware/scripts); the versions are kept beside it",
        Required = true,
    };

    private static int Guarded(ParseResult parse, Func<TextWriter, int> action)
    {
        var output = parse.InvocationConfiguration.Output;
        if (OperatingSystem.IsWindows())
        {
            parse.InvocationConfiguration.Error.WriteLine("mwctl scripts works with symbolic links and rename(2): Linux and macOS only.");
            return 2;
        }

        try
        {
            return action(output);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"ERROR  {ex.Message}");
            return 2;
        }
    }
}
