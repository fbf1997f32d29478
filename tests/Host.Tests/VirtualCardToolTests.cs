using System.Diagnostics;
using Middleware.Client;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Tool;

namespace Middleware.Host.Tests;

/// <summary>The <c>izly-vcard</c> tool: its arguments, its files, and a real insert through vpcd read by the real host.</summary>
public sealed class VirtualCardToolTests
{
    [Fact]
    public void Insert_options_are_read_with_their_defaults()
    {
        Assert.True(VirtualIzlyCardCommand.TryParseInsert(["--holder", "1000001"], out var holder, out _));
        Assert.Equal(new VirtualCardInsertOptions("1000001", null, null, 35963, null, null), holder);

        Assert.True(VirtualIzlyCardCommand.TryParseInsert(
            ["--zdc", "card.json", "--key-file", "keys.json", "--vpcd-port", "35964", "--seconds", "2.5", "--uid", "04aabbccddeeff"], out var all, out _));
        Assert.Equal(new VirtualCardInsertOptions(null, "card.json", "keys.json", 35964, 2.5, "04AABBCCDDEEFF"), all);

        Assert.True(VirtualIzlyCardCommand.TryParseInsert(["--spec", "card.json", "--port", "35963"], out var legacy, out _));
        Assert.Equal("card.json", legacy.DescriptionPath);
    }

    [Theory]
    [InlineData(new string[0], "either --holder")]
    [InlineData(new[] { "--holder", "1000001", "--zdc", "card.json" }, "either --holder")]
    [InlineData(new[] { "--holder" }, "'--holder'")]
    [InlineData(new[] { "--holder", "1000001", "--vpcd-port", "70000" }, "'--vpcd-port'")]
    [InlineData(new[] { "--holder", "1000001", "--seconds", "-1" }, "'--seconds'")]
    [InlineData(new[] { "--holder", "1000001", "--uid", "04" }, "'--uid'")]
    [InlineData(new[] { "--holder", "1000001", "--colour", "blue" }, "'--colour'")]
    public void Bad_insert_options_are_refused_with_a_message_naming_them(string[] args, string expected)
    {
        Assert.False(VirtualIzlyCardCommand.TryParseInsert(args, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_commands_and_holders_exit_2_and_help_exits_0()
    {
        var output = new StringWriter();
        Assert.Equal(2, await VirtualCardTool.RunAsync(["frobnicate"], output, CancellationToken.None));
        Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(2, await VirtualCardTool.RunAsync(["insert", "--holder", "999"], output, CancellationToken.None));
        Assert.Contains("No sandbox right holder '999'", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(0, await VirtualCardTool.RunAsync(["--help"], output, CancellationToken.None));
        Assert.Contains("izly-vcard insert", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_holder_gets_the_card_of_the_sandbox_seed()
    {
        Assert.Null(VirtualCardTool.SandboxHolderCard("999"));
        var spec = VirtualIzlyCardCommand.ResolveSpec(new VirtualCardInsertOptions("1000012", null, null, 35963, null, null), VirtualCardTool.SandboxHolderCard);

        Assert.Equal("36000012", spec.IdSupport);
        Assert.Equal("04A1B2C3D4000C", spec.NumeroApplicatif);
        Assert.Equal("04A1B2C3D4000C", spec.Uid);
        Assert.Equal(5, spec.Crous);
        Assert.Equal(DemoSamKeys.DesfireReadMasterKeyHex, spec.ReadMasterKey);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_demo_key_file_is_private_personalises_cards_and_is_never_silently_replaced()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        var keys = Path.Combine(root, "data", "sam-keys.json");
        var output = new StringWriter();

        Assert.Equal(0, await VirtualCardTool.RunAsync(["demo-sam-keys", keys], output, CancellationToken.None));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keys));
        Assert.Equal(DemoSamKeys.DesfireReadMasterKeyHex, DemoSamKeys.ReadDesfireMasterKeyHex(keys));
        Assert.DoesNotContain(DemoSamKeys.DesfireReadMasterKeyHex, output.ToString(), StringComparison.Ordinal);

        await File.WriteAllTextAsync(keys, DemoSamKeys.KeyFileJson("OTHER", "FFEEDDCCBBAA99887766554433221100"));
        Assert.Equal(1, await VirtualCardTool.RunAsync(["demo-sam-keys", keys], new StringWriter(), CancellationToken.None));
        var spec = VirtualIzlyCardCommand.ResolveSpec(new VirtualCardInsertOptions("1000001", null, keys, 35963, null, null), VirtualCardTool.SandboxHolderCard);
        Assert.Equal("FFEEDDCCBBAA99887766554433221100", spec.ReadMasterKey);

        Assert.Equal(0, await VirtualCardTool.RunAsync(["demo-sam-keys", keys, "--force"], new StringWriter(), CancellationToken.None));
        Assert.Equal(DemoSamKeys.DesfireReadMasterKeyHex, DemoSamKeys.ReadDesfireMasterKeyHex(keys));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keys));

        await File.WriteAllTextAsync(keys, """{ "samId": "X", "keys": [ { "technology": "Classic", "keyNumber": 1, "key": "00112233445566778899AABBCCDDEEFF" } ] }""");
        var refused = Assert.Throws<ArgumentException>(() => DemoSamKeys.ReadDesfireMasterKeyHex(keys));
        Assert.Contains("no DESFire key 1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_executable_prints_a_template_that_personalises_a_card()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "izly-vcard.dll"));
        start.ArgumentList.Add("zdc-template");
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var text = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        var spec = VirtualIzlyCardSpec.Parse(text);
        Assert.Equal("36000001", spec.IdSupport);
        Assert.Equal(VirtualCardTool.SandboxHolderCard("1000001")!.NumeroApplicatif, spec.NumeroApplicatif);
        Assert.Equal(spec.Uid, Convert.ToHexString(spec.CreateCard().Uid.Span));
    }

    [Fact]
    public async Task Insert_keeps_a_holders_card_on_the_reader_until_cancelled_and_the_host_reads_it()
    {
        await using var harness = await CardHostHarness.StartAsync("mwvt-");
        var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        string Written()
        {
            // The synchronised writer locks itself around each write.
            lock (output)
            {
                return text.ToString();
            }
        }

        using var stop = new CancellationTokenSource();

        // The harness's key file: the card is personalised with the very master key the host's SAM holds.
        var run = VirtualCardTool.RunAsync(["insert", "--holder", "1000003", "--key-file", harness.KeyFile, "--vpcd-port", "35963"], output, stop.Token);
        var tapped = await harness.NextAsync<CardTappedEvent>();

        Assert.Equal("36000003", tapped.IdSupport);
        Assert.Equal("04A1B2C3D40003", tapped.NumeroApplicatif);
        Assert.Equal(CardHostHarness.SamId, tapped.SamId);
        Assert.True(tapped.Authenticated);
        Assert.False(run.IsCompleted);
        Assert.Contains("inserted on Virtual PCD 00 00", Written(), StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(CardHostHarness.Reader, (await harness.NextAsync<CardRemovedEvent>()).Reader);
        Assert.Contains("Card removed after", Written(), StringComparison.Ordinal);
    }
}
