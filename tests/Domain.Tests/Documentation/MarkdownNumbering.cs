using System.Text.RegularExpressions;

namespace Middleware.Domain.Tests.Documentation;

/// <summary>
/// The numbers a markdown document offers to citations: its numbered headings (<c>## 3. Rules</c> gives "3",
/// <c>### 2.1 VEM key</c> gives "2.1") and the numbered items of a section whose heading names lessons
/// (<c>1. **Plugin contracts...</c> under "Lessons from the anchors"). Fenced code blocks are not read: a <c>#</c> there
/// is a shell or Python comment, not a heading.
/// </summary>
internal sealed partial class MarkdownNumbering
{
    [GeneratedRegex(@"^(?<level>#{1,6})\s+(?<n>\d+(?:\.\d+)*)\.?(?:\s|$)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex NumberedHeading();

    [GeneratedRegex(@"^(?<n>\d+)\.\s", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex NumberedItem();

    private MarkdownNumbering(IReadOnlySet<string> sections, IReadOnlySet<string> lessons)
    {
        Sections = sections;
        Lessons = lessons;
    }

    /// <summary>The numbers of the numbered headings.</summary>
    public IReadOnlySet<string> Sections { get; }

    /// <summary>The numbers of the numbered items under a heading that contains "lesson".</summary>
    public IReadOnlySet<string> Lessons { get; }

    public static MarkdownNumbering Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sections = new HashSet<string>(StringComparer.Ordinal);
        var lessons = new HashSet<string>(StringComparer.Ordinal);
        var inFence = false;
        var inLessons = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                inLessons = line.Contains("lesson", StringComparison.OrdinalIgnoreCase);
                if (NumberedHeading().Match(line) is { Success: true } h)
                {
                    sections.Add(h.Groups["n"].Value);
                }
            }
            else if (inLessons && NumberedItem().Match(line) is { Success: true } item)
            {
                lessons.Add(item.Groups["n"].Value);
            }
        }

        return new MarkdownNumbering(sections, lessons);
    }
}
