using System.Text.Json;
using System.Text.Json.Nodes;
using Middleware.Tickets.Storage;

namespace Middleware.Cli.Tests;

/// <summary>mwctl closing and journal, as a manager or Crous IT runs them, against the real pipe, outbox, journal and
/// sandbox VEM; the PDF through the installed Chromium.</summary>
public sealed class ClosingCommandTests : IAsyncLifetime
{
    private MiddlewareUnderTest mw = null!;

    public async Task InitializeAsync() => mw = await MiddlewareUnderTest.StartAsync();

    public async Task DisposeAsync() => await mw.DisposeAsync();

    [Fact]
    public async Task The_host_day_is_closed_printed_as_html_and_pdf_and_matches_what_vem_received()
    {
        for (var i = 0; i < 3; i++)
        {
            var receipt = await mw.CommitAsync($"sale-{i}", MiddlewareUnderTest.Sale(i));
            await mw.WaitForAsync(long.Parse(receipt.IdTicketEntete, System.Globalization.CultureInfo.InvariantCulture), TicketState.Sent);
        }

        var html = Path.Combine(mw.Directory, "z.html");
        var pdf = Path.Combine(mw.Directory, "z.pdf");
        var run = await mw.RunAsync("closing", "close", "--scope", "host", "--json", "--html", html, "--pdf", pdf);
        Assert.True(run.ExitCode == 0, run.ToString());
        var closing = run.Json();
        Assert.Equal("day/host/1", closing.GetProperty("id").GetString());

        // What VEM received, read from the sandbox: the closing's Izly total is theirs.
        var received = await mw.Sandbox.GetTicketsAsync();
        var vemIzly = received.Select(t => JsonNode.Parse(t.Json)!["listeReglements"]!.AsArray().Sum(p => (decimal)p!["montant"]!)).Sum();
        var sales = closing.GetProperty("sales");
        Assert.Equal(received.Count, sales.GetProperty("tickets").GetInt32());
        var izly = sales.GetProperty("byPayment").EnumerateArray().Single(p => p.GetProperty("codeReglement").GetInt32() == 9);
        Assert.Equal(vemIzly, izly.GetProperty("amount").GetDecimal());
        Assert.Equal(vemIzly, sales.GetProperty("totalTtc").GetDecimal());

        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("Clôture journalière n° 1", page, StringComparison.Ordinal);
        Assert.Contains(vemIzly.ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("fr-FR")), page, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(pdf);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));

        var list = await mw.RunAsync("closing", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("day/host/1", list.Output, StringComparison.Ordinal);
        Assert.Contains("day/5-1-9-8-14/1", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_journal_verifies_exports_and_an_edited_archive_fails_offline()
    {
        await mw.CommitAsync("a", MiddlewareUnderTest.Sale(1));
        await mw.CommitAsync("b", MiddlewareUnderTest.Sale(2));
        var verify = await mw.RunAsync("journal", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("3 entries", verify.Output, StringComparison.Ordinal);
        Assert.Contains("intact", verify.Output, StringComparison.Ordinal);

        var status = (await mw.RunAsync("journal", "status", "--json")).Json();
        var keyId = status.GetProperty("keyId").GetString()!;
        var export = await mw.RunAsync("journal", "export", "--file", "all.json", "--json");
        Assert.True(export.ExitCode == 0, export.ToString());
        var path = export.Json().GetProperty("path").GetString()!;

        var offline = await mw.RunAsync("journal", "verify", "--archive", path, "--key-id", keyId);
        Assert.True(offline.ExitCode == 0, offline.ToString());

        var lines = await File.ReadAllLinesAsync(path); // header, entries, signed head
        var entry = JsonNode.Parse(lines[2])!;
        entry["body"] = ((string)entry["body"]!).Replace("\"quantite\":1", "\"quantite\":9", StringComparison.Ordinal);
        lines[2] = entry.ToJsonString();
        var edited = Path.Combine(mw.Directory, "edited.json");
        await File.WriteAllLinesAsync(edited, lines);
        var bad = await mw.RunAsync("journal", "verify", "--archive", edited, "--json");
        Assert.Equal(1, bad.ExitCode);
        var problem = bad.Json().GetProperty("problems").EnumerateArray().First();
        Assert.Equal(("edited", 2), (problem.GetProperty("kind").GetString(), problem.GetProperty("seq").GetInt32()));
    }
}
