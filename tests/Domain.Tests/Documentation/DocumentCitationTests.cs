using Xunit;

namespace Middleware.Domain.Tests.Documentation;

/// <summary>
/// Keeps the repository's citations of its documents true (issue 13): every "<c>name.md</c> §N" in a source, script,
/// settings or markdown file names a document of the repository and a section it has, and nothing points at the
/// specification folder that used to live outside the repository.
/// </summary>
public sealed class DocumentCitationTests
{
    private static readonly Lazy<CitationChecker> Repository = new(() => new CitationChecker(RepositoryRoot.Find()));

    [Fact]
    public void EveryDocumentCitationResolves()
    {
        var problems = Repository.Value.UnresolvedCitations();

        Assert.True(problems.Count == 0,
            $"{problems.Count} citation(s) do not resolve (fix the comment, or the document's numbering):\n" + string.Join('\n', problems));
    }

    [Fact]
    public void NoFileCitesTheSpecificationFolderOutsideTheRepository()
    {
        var mentions = Repository.Value.OutsideSpecificationMentions();

        Assert.True(mentions.Count == 0, "These lines point outside the repository; cite docs/ instead:\n" + string.Join('\n', mentions));
    }

    [Fact]
    public void TheScanReadsTheRepositoryAndFindsItsCitations()
    {
        // Guards the two tests above against passing on an empty or misdirected scan.
        var checker = Repository.Value;
        var citations = checker.Citations();

        Assert.True(checker.FileCount > 100, $"only {checker.FileCount} files scanned");
        Assert.Contains(citations, c => c.File == "core/Tickets/Numbering/TicketNumbering.cs"
            && c.Citation.Document == "crous-izly-api.md" && c.Citation.Numbers.Contains("4"));
        Assert.Contains(citations, c => c.File == "core/Sdk/Zdc/ZdcRecord.cs" && c.Citation.Document == "cards.md" && c.Citation.Numbers.Contains("1"));
        foreach (var document in new[] { "cards.md", "crous-izly-api.md", "design.md" })
        {
            Assert.True(citations.Count(c => c.Citation.Document == document) >= 3, $"too few citations of {document} found");
        }
    }

    [Theory]
    [InlineData("cards.md", 8)]
    [InlineData("crous-izly-api.md", 10)]
    [InlineData("crous-specification.md", 12)]
    public void EachDocumentKeepsItsNumberedSections(string document, int sections)
    {
        var numbering = MarkdownNumbering.Read(File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "docs", document)));

        for (var n = 1; n <= sections; n++)
        {
            Assert.Contains(n.ToString(System.Globalization.CultureInfo.InvariantCulture), numbering.Sections);
        }
    }

    [Fact]
    public void TheDesignKeepsItsTwelveLessons()
    {
        var numbering = MarkdownNumbering.Read(File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "docs", "design.md")));

        Assert.Equal(Enumerable.Range(1, 12).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(),
            numbering.Lessons.Order());
    }

    [Fact]
    public void EveryDocumentSaysTheFrenchSpecificationWins()
    {
        var docs = Path.Combine(RepositoryRoot.Find(), "docs");
        foreach (var document in new[] { "cards.md", "crous-izly-api.md", "design.md", "crous-specification.md", "README.md" })
        {
            var header = string.Join('\n', File.ReadLines(Path.Combine(docs, document)).Take(12));
            Assert.True(header.Contains("wins", StringComparison.Ordinal) && header.Contains("specification", StringComparison.OrdinalIgnoreCase),
                $"docs/{document} does not say in its header that the Crous specification wins");
        }
    }
}
