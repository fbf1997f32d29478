using System.Text.Json.Nodes;
using Middleware.Tickets.Journal;
using Xunit;

namespace Middleware.Tickets.Tests.Journal;

/// <summary>Signed archives, checked offline from the file alone.</summary>
public sealed class JournalArchiveTests
{
    [Fact]
    public async Task An_exported_archive_verifies_offline_and_consecutive_archives_chain()
    {
        await using var f = new TicketFixture();
        for (var i = 0; i < 4; i++)
        {
            await f.CommitAsync($"r-{i}");
        }

        var first = await f.Journal.ExportAsync(1, 3, "a.json", CancellationToken.None);
        var second = await f.Journal.ExportAsync(4, long.MaxValue, "b.json", CancellationToken.None);
        Assert.Equal((1L, 3L, 4L, 5L), (first.FromSeq, first.ToSeq, second.FromSeq, second.ToSeq));
        var a = JournalArchive.Verify(first.Path, f.JournalWriter.Key.KeyId, f.Time.GetUtcNow());
        var b = JournalArchive.Verify(second.Path, f.JournalWriter.Key.KeyId, f.Time.GetUtcNow());
        Assert.True(a.Intact, string.Join("; ", a.Problems.Select(p => p.Detail)));
        Assert.True(b.Intact, string.Join("; ", b.Problems.Select(p => p.Detail)));
        var bHeader = JsonNode.Parse(File.ReadLines(second.Path).First())!;
        Assert.Equal(a.LastHash, (string)bHeader["previousHash"]!);
        // An archive is never overwritten.
        var again = await Assert.ThrowsAsync<Domain.Errors.MiddlewareException>(() => f.Journal.ExportAsync(1, 3, "a.json", CancellationToken.None));
        Assert.Contains("never overwritten", again.Message, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.Path));
        }
    }

    [Fact]
    public async Task An_edited_or_cut_archive_or_one_signed_by_another_key_fails()
    {
        await using var f = new TicketFixture();
        for (var i = 0; i < 3; i++)
        {
            await f.CommitAsync($"r-{i}");
        }

        var export = await f.Journal.ExportAsync(1, long.MaxValue, "all.json", CancellationToken.None);
        var lines = File.ReadAllLines(export.Path); // header, entries 1 to 4, head

        var edited = (string[])lines.Clone();
        var entry = JsonNode.Parse(edited[3])!;
        entry["body"] = ((string)entry["body"]!).Replace("\"montant\":2.80", "\"montant\":0.01", StringComparison.Ordinal);
        edited[3] = entry.ToJsonString();
        var editedResult = Verify(f, edited);
        Assert.Contains(editedResult.Problems, p => p.Kind == JournalProblemKinds.Edited && p.Seq == 3);

        var cut = lines.Where((_, i) => i != 4).ToArray();
        var cutResult = Verify(f, cut);
        Assert.Contains(cutResult.Problems, p => p.Kind == JournalProblemKinds.Truncated);

        var headless = lines[..^1];
        Assert.Contains(Verify(f, headless).Problems, p => p.Kind == JournalProblemKinds.HeadInvalid);

        var wrongKey = JournalArchive.Verify(export.Path, "0123456789abcdef", f.Time.GetUtcNow());
        Assert.Contains(wrongKey.Problems, p => p.Kind == JournalProblemKinds.UnknownKey);

        var path = Path.Combine(f.Directory, "junk.json");
        File.WriteAllText(path, "{\"format\":\"nope\"}");
        Assert.False(JournalArchive.Verify(path, null, f.Time.GetUtcNow()).Intact);
        File.WriteAllText(path, new string('x', JournalArchive.MaxLineChars + 10));
        Assert.False(JournalArchive.Verify(path, null, f.Time.GetUtcNow()).Intact);
    }

    /// <summary>Exports at the same second used to collide on the default name (the pipe fuzzer's two
    /// <c>journal.export</c> calls at once answered an internal error, an IOException): each now gets its own name, and
    /// a name given twice at once is written once and refused once.</summary>
    [Fact]
    public async Task Exports_at_the_same_time_each_get_their_archive_and_a_name_given_twice_is_refused_once()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r-1");
        await f.CommitAsync("r-2");

        var unnamed = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => f.Journal.ExportAsync(1, long.MaxValue, null, CancellationToken.None)));
        Assert.Equal(8, unnamed.Select(e => e.Path).Distinct().Count());
        Assert.All(unnamed, e => Assert.True(JournalArchive.Verify(e.Path, f.JournalWriter.Key.KeyId, f.Time.GetUtcNow()).Intact));

        var named = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                return (await f.Journal.ExportAsync(1, long.MaxValue, "same.json", CancellationToken.None)).Path;
            }
            catch (Domain.Errors.MiddlewareException ex) when (ex.Code == Domain.Errors.ErrorCode.InvalidRequest)
            {
                return null;
            }
        }));
        Assert.Single(named, p => p is not null);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(unnamed[0].Path)!, "*.tmp"));
    }

    [Fact]
    public async Task Export_refuses_a_path_instead_of_a_file_name()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r-1");
        var ex = await Assert.ThrowsAsync<Domain.Errors.MiddlewareException>(() => f.Journal.ExportAsync(1, long.MaxValue, "../escape.json", CancellationToken.None));
        Assert.Equal(Domain.Errors.ErrorCode.InvalidRequest, ex.Code);
    }

    private static JournalVerification Verify(TicketFixture f, string[] lines)
    {
        var path = Path.Combine(f.Directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllLines(path, lines);
        return JournalArchive.Verify(path, null, f.Time.GetUtcNow());
    }
}
