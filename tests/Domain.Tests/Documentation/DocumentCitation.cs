namespace Middleware.Domain.Tests.Documentation;

/// <summary>What a citation points at: a numbered section (<c>§3</c>, <c>§2.1</c>) or a numbered lesson.</summary>
internal enum CitationKind
{
    Section,
    Lesson,
}

/// <summary>One citation of a document found in a file, e.g. <c>cards.md §3</c> at line 12.</summary>
/// <param name="Line">1-based line of the citing file.</param>
/// <param name="Document">The cited file as written: a bare name (<c>cards.md</c>) or a path (<c>core/Pipe/PROTOCOL.md</c>).</param>
/// <param name="Numbers">Every section (or lesson) number it names, ranges expanded: <c>§2–§4, §9</c> gives 2, 3, 4, 9.</param>
internal sealed record DocumentCitation(int Line, string Document, CitationKind Kind, IReadOnlyList<string> Numbers, string Text);
