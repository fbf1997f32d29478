using System.CommandLine;

namespace Middleware.Cli.Commands;

/// <summary><c>mwctl hello</c>: says hello and prints the answer (version, capabilities).</summary>
internal static class HelloCommand
{
    public static Command Create()
    {
        var command = new Command("hello", "Say hello with --pos and print the server's answer");
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, client => CliOptions.PrintAsync(parse, client.HelloInfo), ct));
        return command;
    }
}

/// <summary><c>mwctl plugins</c>: plugin status.</summary>
internal static class PluginsCommand
{
    public static Command Create()
    {
        var command = new Command("plugins", "Print every plugin and its state (plugins.status); reload, disable or enable one (operator)");
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client => await CliOptions.PrintAsync(parse, await client.GetPluginStatusAsync(ct)), ct));
        command.Add(Control("reload", "plugins.reload", "Unload the plugin and load it again from its folder (a Malfunctioned one too)"));
        command.Add(Control("disable", "plugins.disable", "Take the plugin out of service until 'enable' or a restart"));
        command.Add(Control("enable", "plugins.enable", "Put a disabled plugin back in service"));
        return command;
    }

    // The operator methods (PROTOCOL.md, "Operator methods"): the host's own account, root, or Pipe:OperatorUsers.
    private static Command Control(string name, string method, string description)
    {
        var pluginId = new Argument<string>("pluginId") { Description = "The plugin's id, as plugins.json and 'mwctl plugins' name it" };
        var command = new Command(name, description + $" ({method}; operator accounts only)") { pluginId };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true,
            async client => await CliOptions.PrintAsync(parse, await client.CallAsync(method, new { pluginId = parse.GetValue(pluginId) }, ct)), ct));
        return command;
    }
}

/// <summary><c>mwctl readers</c>: the readers of --pos.</summary>
internal static class ReadersCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Every reader, terminal and serial port the host sees, configured or not, with its points of sale (readers.seen, operator)" };
        var json = new Option<bool>("--json") { Description = "With --all: print the JSON instead of a table" };
        var command = new Command("readers", "Print the readers of the point of sale --pos (readers.list), or every reader seen (--all)") { all, json };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            if (!parse.GetValue(all))
            {
                await CliOptions.PrintAsync(parse, await client.ListReadersAsync(ct));
                return;
            }

            var seen = await client.CallAsync("readers.seen", null, ct);
            if (parse.GetValue(json))
            {
                await CliOptions.PrintAsync(parse, seen);
                return;
            }

            var table = new TextTable(StatusCommand.ReaderHeaders);
            foreach (var reader in seen.EnumerateArray())
            {
                table.Add(StatusCommand.ReaderCells(reader));
            }

            await parse.InvocationConfiguration.Output.WriteAsync(table.Count == 0 ? "No reader seen.\n" : table.ToString());
        }, ct));
        return command;
    }
}

/// <summary><c>mwctl watch</c>: prints card notifications of --pos until Ctrl+C (or --count).</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Stop after this many notifications (0: until Ctrl+C)", DefaultValueFactory = _ => 0 };
        var command = new Command("watch", "Print card notifications (card.tapped, card.readFailed, card.removed) of --pos") { count };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var max = parse.GetValue(count);
            var seen = 0;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var gate = new Lock();
            void Print(string name, object e)
            {
                lock (gate)
                {
                    parse.InvocationConfiguration.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { notification = name, @params = e }, CliOptions.Pretty).ReplaceLineEndings(" "));
                    if (max > 0 && ++seen >= max)
                    {
                        done.TrySetResult();
                    }
                }
            }

            client.CardTapped += (_, e) => Print("card.tapped", e);
            client.CardReadFailed += (_, e) => Print("card.readFailed", e);
            client.CardRemoved += (_, e) => Print("card.removed", e);
            client.ReadersChanged += (_, e) => Print("readers.changed", e);
            client.Disconnected += (_, _) => done.TrySetException(new Middleware.Client.MiddlewareConnectionException("The middleware closed the connection."));
            await parse.InvocationConfiguration.Error.WriteLineAsync($"Watching point of sale {client.HelloInfo?.PointOfSale} ({client.HelloInfo?.Label}); Ctrl+C to stop.");
            try
            {
                await done.Task.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }, ct));
        return command;
    }
}
