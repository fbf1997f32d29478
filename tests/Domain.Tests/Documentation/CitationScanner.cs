using System.Globalization;
using System.Text.RegularExpressions;

namespace Middleware.Domain.Tests.Documentation;

/// <summary>
/// Finds citations of documents in a file's text: <c>name.md §N</c>, <c>name.md §N.M</c>, <c>`name.md` §N</c>,
/// <c>&lt;c&gt;name.md&lt;/c&gt; §N</c>, <c>name.md, section N</c>, and <c>name.md lesson N</c>. The sections that
/// follow on the same line belong to the same citation (<c>§2 auth, §3 resources</c>, <c>§2–§4</c>, <c>§2 to §10</c>)
/// up to the end of its clause (a closing parenthesis, a semicolon, a full stop, or another document's name).
/// </summary>
internal static partial class CitationScanner
{
    // The name must not continue a longer token (so "x.md" inside "a/x.md" is read as the whole path).
    private const string DocumentPattern = @"(?<![A-Za-z0-9_./-])(?<doc>(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.md)(?:`|</c>)?,?\s+";

    [GeneratedRegex(DocumentPattern + @"(?:§\s?|section\s+)(?=\d)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SectionStart();

    [GeneratedRegex(DocumentPattern + @"lesson\s+(?<n>\d+)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex LessonCitation();

    // One section reference of a clause, optionally a range: §3, §3.1, §2–3, §3-§4, §2 to §10.
    [GeneratedRegex(@"(?:§\s?|^)(?<n>\d+(?:\.\d+)*)(?:\s*(?:–|-|\bto\b)\s*§?\s?(?<end>\d+)\b)?", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SectionReference();

    // Where the clause of a citation ends.
    [GeneratedRegex(@"[);:]|\.(?:\s|$)|\.md\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ClauseEnd();

    /// <summary>Every citation in <paramref name="text"/>, in line order.</summary>
    public static IReadOnlyList<DocumentCitation> Scan(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<DocumentCitation>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            foreach (Match m in SectionStart().Matches(line))
            {
                var clause = line[(m.Index + m.Length)..];
                if (ClauseEnd().Match(clause) is { Success: true } end)
                {
                    clause = clause[..end.Index];
                }

                var numbers = SectionNumbers(clause);
                if (numbers.Count > 0)
                {
                    found.Add(new DocumentCitation(i + 1, m.Groups["doc"].Value, CitationKind.Section, numbers, line.Trim()));
                }
            }

            foreach (Match m in LessonCitation().Matches(line))
            {
                found.Add(new DocumentCitation(i + 1, m.Groups["doc"].Value, CitationKind.Lesson, [m.Groups["n"].Value], line.Trim()));
            }
        }

        return found;
    }

    /// <summary>The numbers of one clause, e.g. "2 auth, §3 resources, §7" or "2–§4, §9", ranges expanded.</summary>
    private static List<string> SectionNumbers(string clause)
    {
        var numbers = new List<string>();
        foreach (Match r in SectionReference().Matches(clause))
        {
            var first = r.Groups["n"].Value;
            numbers.Add(first);
            if (r.Groups["end"].Success)
            {
                var last = int.Parse(r.Groups["end"].Value, CultureInfo.InvariantCulture);
                if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from) && last > from && last - from <= 50)
                {
                    for (var n = from + 1; n <= last; n++)
                    {
                        numbers.Add(n.ToString(CultureInfo.InvariantCulture));
                    }
                }
                else
                {
                    // "§2.1–3" or a reversed range: check both ends as written.
                    numbers.Add(r.Groups["end"].Value);
                }
            }
        }

        return numbers;
    }
}
