using System.CommandLine;
using Middleware.Cli;
using Middleware.Cli.Commands;

// mwctl: calls the middleware over its pipe. To add a subcommand: add one file in Commands/ with a static
// Create() returning a Command (see PingCommand), and one line below.
var root = new RootCommand("mwctl: command-line client of the Izly/Crous middleware (till protocol over the named pipe).");
CliOptions.AddTo(root);
root.Add(CallCommand.Create());
root.Add(HelloCommand.Create());
root.Add(PluginsCommand.Create());
root.Add(ReadersCommand.Create());
root.Add(WatchCommand.Create());
root.Add(ScriptTestCommand.Create());
return await root.Parse(args).InvokeAsync();
