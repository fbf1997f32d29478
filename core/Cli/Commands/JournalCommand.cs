using System.CommandLine;
using System.Text.Json;
using Middleware.Client;
using Middleware.Tickets.Journal;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl journal status|verify|export</c>: the sales journal (pipe methods <c>journal.*</c>, operator only), and
/// <c>journal verify --archive FILE</c>, which checks an exported archive offline, with no host. Exit code 1 when the
/// journal or the archive is not intact.
/// </summary>
internal static class JournalCommand
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the JSON instead of text", Recursive = true };
        return new Command("journal", "The inalterable sales journal: its state, a full verification, signed archives.") { json, Status(json), Verify(json), Export(json) };
    }

    private static Command Status(Option<bool> json)
    {
        var command = new Command("status", "Entries, last hash, signing key and the last verification (journal.status)");
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("journal.status", null, ct);
            await (parse.GetValue(json) ? CliOptions.PrintAsync(parse, result) : parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{result.Text("entries")} entries, last {result.Text("lastSeq")} ({result.Text("lastHash")}), key {result.Text("keyId")}"
                + (result.Get("lastVerification") is { } v ? $"; last verified {v.Date("verifiedAt")}: {(v.Text("intact") == "true" ? "intact" : "NOT INTACT")}" : "; not verified yet")));
        }, ct));
        return command;
    }

    private static Command Verify(Option<bool> json)
    {
        var archive = new Option<FileInfo?>("--archive") { Description = "Check this exported archive offline (no host needed)" };
        var keyId = new Option<string?>("--key-id") { Description = "With --archive: the journal key id printed on the closings; refuse an archive signed by another" };
        var quick = new Option<bool>("--no-signatures") { Description = "Skip the Ed25519 signatures (hash chain, head and outbox only: faster)" };
        var command = new Command("verify", "Verify the whole journal (journal.verify), or an archive offline") { archive, keyId, quick };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(archive) is { } file)
            {
                if (!file.Exists)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"No archive {file.FullName}.");
                    return 1;
                }

                var offline = JournalArchive.Verify(file.FullName, parse.GetValue(keyId), DateTimeOffset.UtcNow);
                await WriteAsync(parse, json, offline, $"Archive {file.Name}");
                return offline.Intact ? 0 : 1;
            }

            var intact = true;
            var code = await CliOptions.RunAsync(parse, hello: true, async client =>
            {
                var result = await client.CallAsync("journal.verify", new { signatures = !parse.GetValue(quick) }, ct);
                var verification = result.Deserialize<JournalVerification>(Web)!;
                intact = verification.Intact;
                await WriteAsync(parse, json, verification, "Journal");
            }, ct);
            return code != 0 ? code : intact ? 0 : 1;
        });
        return command;
    }

    private static Command Export(Option<bool> json)
    {
        var from = new Option<long>("--from") { Description = "First entry (default 1)", DefaultValueFactory = _ => 1 };
        var to = new Option<long?>("--to") { Description = "Last entry (default: the last)" };
        var name = new Option<string?>("--file") { Description = "File name in the host's archive folder (default journal-<date>.json)" };
        var command = new Command("export", "Write a signed archive in the host's archive folder (journal.export)") { from, to, name };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("journal.export", new { fromSeq = parse.GetValue(from), toSeq = parse.GetValue(to), fileName = parse.GetValue(name) }, ct);
            await (parse.GetValue(json) ? CliOptions.PrintAsync(parse, result) : parse.InvocationConfiguration.Output.WriteLineAsync(
                $"Entries {result.Text("fromSeq")} to {result.Text("toSeq")} archived to {result.Text("path")} (key {result.Text("keyId")})."));
        }, ct));
        return command;
    }

    private static async Task WriteAsync(ParseResult parse, Option<bool> json, JournalVerification v, string what)
    {
        if (parse.GetValue(json))
        {
            await CliOptions.PrintAsync(parse, v);
            return;
        }

        var output = parse.InvocationConfiguration.Output;
        await output.WriteLineAsync($"{what}: {v.Entries} entries, last {v.LastSeq}, keys {string.Join(", ", v.KeyIds)}: {(v.Intact ? "intact" : $"NOT INTACT, {v.Problems.Count + v.MoreProblems} problem(s)")}");
        var table = new TextTable("PROBLEM", "ENTRY", "DETAIL");
        foreach (var p in v.Problems)
        {
            table.Add(p.Kind, p.Seq?.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Detail);
        }

        if (table.Count > 0)
        {
            await output.WriteAsync(table.ToString());
        }
    }
}
