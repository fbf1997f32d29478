using System.CommandLine;
using Middleware.Cli.Progress;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl reference status|sync</c>: the Crous reference data of --pos (<c>reference.status</c>,
/// <c>reference.sync</c>). A sync can take a while (VEM sends every resource): a progress line with the elapsed time
/// goes to stderr every second, and the call is bounded by --timeout.
/// </summary>
internal static class ReferenceCommand
{
    public static Command Create()
    {
        var status = new Command("status", "The reference data of --pos: when last synced, errors, counts (reference.status)");
        status.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true,
            async client => await CliOptions.PrintAsync(parse, await client.CallAsync("reference.status", null, ct)), ct));

        var sync = new Command("sync", "Fetch the reference data of --pos from the Crous now (reference.sync); progress on stderr, bounded by --timeout");
        sync.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var progress = new ProgressLine(parse.InvocationConfiguration.Error, $"reference sync of {client.HelloInfo?.PointOfSale}", TimeProvider.System, TimeSpan.FromSeconds(1));
            var result = await progress.WhileAsync(client.CallAsync("reference.sync", null, ct), ct);
            await CliOptions.PrintAsync(parse, result);
            var succeeded = result.Get("succeeded") is { ValueKind: System.Text.Json.JsonValueKind.True };
            await parse.InvocationConfiguration.Error.WriteLineAsync(succeeded
                ? $"reference sync: done in {ProgressLine.Seconds(progress.Elapsed)}."
                : $"reference sync: FAILED after {ProgressLine.Seconds(progress.Elapsed)}: {result.Text("error")} (the previous data is kept and still served).");
            // A failed sync answers a result, not an error: mwctl still exits 2 so that a script sees it.
            return succeeded ? 0 : 2;
        }, ct));

        return new Command("reference", "The Crous reference data (articles, prices, profiles) of the point of sale --pos.") { status, sync };
    }
}
