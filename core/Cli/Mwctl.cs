using System.CommandLine;
using Middleware.Cli.Commands;

namespace Middleware.Cli;

/// <summary>
/// The mwctl command tree, and one invocation of it with chosen output writers (the tests run it in-process against
/// a real pipe server and read what a shell would print). To add a subcommand: one file in Commands/ with a static
/// <c>Create()</c> returning a Command, and one line below.
/// </summary>
internal static class Mwctl
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("mwctl: command-line client of the Izly/Crous middleware (till protocol over the named pipe).");
        CliOptions.AddTo(root);
        root.Add(CallCommand.Create());
        root.Add(HelloCommand.Create());
        root.Add(PluginsCommand.Create());
        root.Add(ReadersCommand.Create());
        root.Add(StatusCommand.Create());
        root.Add(WatchCommand.Create());
        root.Add(OutboxCommand.Create());
        root.Add(ReferenceCommand.Create());
        root.Add(ClosingCommand.Create());
        root.Add(JournalCommand.Create());
        root.Add(ScriptTestCommand.Create());
        root.Add(ScriptsCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; the exit code (0 ok, 1 bad arguments or a failed case,
    /// 2 a middleware error, 3 the middleware cannot be reached).</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
        }

        if (error is not null)
        {
            configuration.Error = error;
        }

        return CreateRoot().Parse(args).InvokeAsync(configuration, cancellationToken);
    }
}
