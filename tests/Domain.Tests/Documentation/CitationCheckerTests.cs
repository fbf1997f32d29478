using Xunit;

namespace Middleware.Domain.Tests.Documentation;

/// <summary>The citation checker on a small repository of real files, with citations that resolve and ones that do not.</summary>
public sealed class CitationCheckerTests : IDisposable
{
    // The citations below are assembled from pieces, so that this file holds none itself (the repository test reads it).
    private const string S = "§";
    private const string Lesson = "lesson";

    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-citations-" + Guid.NewGuid().ToString("N"));

    public CitationCheckerTests()
    {
        Write("docs/cards.md", "# Cards\n## 1. ZDC\n### 1.1 Fields\n## 2. SAM\n```\n## 7. not a heading: inside a fence\n```\n");
        Write("docs/design.md", "# Design\n## Lessons\n1. **One**\n2. **Two**\n## After\n3. not a lesson\n");
        Write("core/Pipe/PROTOCOL.md", "# Protocol\n## 1. Where\n## 2. Framing\n## 3. Rules\n");
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void CitationsOfExistingSectionsResolve()
    {
        Write("core/A.cs", $"""
            /// The record (<c>cards.md</c> {S}1) and its fields (`cards.md` {S}1.1); keys: cards.md {S}2 step 4.
            // Ranges: cards.md {S}1–2, cards.md {S}1-{S}2, cards.md {S}1 to {S}2; lists: cards.md {S}1 auth, {S}2 keys.
            // Paths and other forms: core/Pipe/PROTOCOL.md {S}3, PROTOCOL.md, section 2, design.md {Lesson} 2, design.md, {Lesson} 1.
            """);
        Write("core/Pipe/Server.cs", $"// Framing (PROTOCOL.md {S}2): next to the citing file.");

        var checker = new CitationChecker(root);

        Assert.Empty(checker.UnresolvedCitations());
        Assert.Equal(12, checker.Citations().Count);
    }

    [Fact]
    public void AMissingSectionIsReportedWithItsFileAndLine()
    {
        Write("core/A.cs", $"// fine\n// The Tetra link (cards.md {S}7), which the fenced heading does not provide.\n");

        var problem = Assert.Single(new CitationChecker(root).UnresolvedCitations());

        Assert.StartsWith($"core/A.cs:2: cites cards.md {S}7, but docs/cards.md has no heading numbered 7", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryNumberOfARangeOrListIsChecked()
    {
        Write("core/A.cs", $"// cards.md {S}1 to {S}3 and cards.md {S}2 auth, {S}4 tickets; cards.md {S}1.2\n");

        var problems = new CitationChecker(root).UnresolvedCitations();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains($"cards.md {S}3,", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains($"cards.md {S}4,", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains($"cards.md {S}1.2,", StringComparison.Ordinal));
    }

    [Fact]
    public void AFileThatIsNotInTheRepositoryIsReported()
    {
        Write("scripts/b.csx", $"// see spec.md {S}1 and ../../outside/cards.md {S}1\n");

        var problems = new CitationChecker(root).UnresolvedCitations();

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("scripts/b.csx:1: cites spec.md, which is neither in docs/", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("scripts/b.csx:1: cites ../../outside/cards.md, a path that leads to no file inside", StringComparison.Ordinal));
    }

    [Fact]
    public void ANameTwoFilesBearMustBeGivenAsAPath()
    {
        Write("tests/PROTOCOL.md", "## 2. Copy\n");
        Write("README.md", $"See PROTOCOL.md {S}2.\n");

        var problem = Assert.Single(new CitationChecker(root).UnresolvedCitations());

        Assert.Contains("a name that 2 files of the repository bear", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingLessonIsReported()
    {
        Write("core/A.cs", $"// design.md {Lesson} 3: item 3 is not under the lessons heading.\n");

        var problem = Assert.Single(new CitationChecker(root).UnresolvedCitations());

        Assert.Contains("cites design.md lesson 3, but docs/design.md has no lesson numbered 3", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildOutputsAreNotRead()
    {
        Write("core/bin/Release/A.cs", $"// cards.md {S}9\n");
        Write("core/obj/A.json", $"\"cards.md {S}9\"\n");
        Write(".artifacts/x/README.md", $"cards.md {S}9\n");

        Assert.Empty(new CitationChecker(root).UnresolvedCitations());
    }

    [Fact]
    public void MentionsOfTheOutsideSpecificationFolderAreReported()
    {
        Write("tests/run.sh", "cat " + CitationChecker.OutsideSpecificationMarkers[1] + "/spec/cards.md\n");
        Write("docs/notes.md", "[old](" + CitationChecker.OutsideSpecificationMarkers[0] + "spec/design.md)\n");

        var mentions = new CitationChecker(root).OutsideSpecificationMentions();

        Assert.Equal(["docs/notes.md:1", "tests/run.sh:1"], mentions.Select(m => m[..m.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
    }

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
