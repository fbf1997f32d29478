namespace Middleware.Domain.Tests.Documentation;

/// <summary>
/// Checks every citation of a repository: the cited document exists in the repository, and it has the cited numbered
/// section (or lesson). A bare name resolves in <c>docs/</c>, then next to the citing file, then to the one file of that
/// name in the repository (two files of that name make it ambiguous); a path resolves from the citing file's folder or
/// from the root, and must stay inside the repository. Also refuses any mention of the specification folder that lived
/// outside the repository (<see cref="OutsideSpecificationMarkers"/>).
/// </summary>
internal sealed class CitationChecker
{
    // Larger files are read this far only: citations sit in comments and prose, not in data.
    private const int MaxCharsPerFile = 1 << 20;

    // Built by concatenation so that this file does not cite them itself.
    public static readonly IReadOnlyList<string> OutsideSpecificationMarkers = ["../" + "shared/", "/work/" + "shared"];

    private readonly string root;
    private readonly IReadOnlyList<string> files;
    private readonly Dictionary<string, MarkdownNumbering?> numberings = new(StringComparer.Ordinal);
    private readonly ILookup<string, string> markdownByName;

    public CitationChecker(string root)
    {
        this.root = Path.GetFullPath(root);
        files = RepositoryFiles.Under(this.root);
        markdownByName = files.Where(f => f.EndsWith(".md", StringComparison.OrdinalIgnoreCase)).ToLookup(Path.GetFileName, StringComparer.Ordinal)!;
    }

    /// <summary>How many files were scanned (a scan of nothing must not pass for a clean one).</summary>
    public int FileCount => files.Count;

    /// <summary>Every citation found, with the file that holds it (relative to the root).</summary>
    public IReadOnlyList<(string File, DocumentCitation Citation)> Citations() =>
        files.SelectMany(f => CitationScanner.Scan(ReadBounded(f)).Select(c => (Relative(f), c))).ToList();

    /// <summary>One line per citation that does not resolve: <c>file:line: cites ...: why</c>.</summary>
    public IReadOnlyList<string> UnresolvedCitations()
    {
        var problems = new List<string>();
        foreach (var file in files)
        {
            foreach (var citation in CitationScanner.Scan(ReadBounded(file)))
            {
                var where = $"{Relative(file)}:{citation.Line}";
                var target = Resolve(file, citation.Document, out var why);
                if (target is null)
                {
                    problems.Add($"{where}: cites {citation.Document}, {why} (\"{citation.Text}\")");
                    continue;
                }

                var numbering = NumberingOf(target);
                var offered = citation.Kind == CitationKind.Lesson ? numbering.Lessons : numbering.Sections;
                foreach (var n in citation.Numbers.Where(n => !offered.Contains(n)))
                {
                    var what = citation.Kind == CitationKind.Lesson ? $"lesson {n}" : $"§{n}";
                    problems.Add($"{where}: cites {citation.Document} {what}, but {Relative(target)} has no " +
                        (citation.Kind == CitationKind.Lesson ? $"lesson numbered {n}" : $"heading numbered {n}") + $" (\"{citation.Text}\")");
                }
            }
        }

        return problems;
    }

    /// <summary>One line per mention of the old outside specification folder: <c>file:line: text</c>.</summary>
    public IReadOnlyList<string> OutsideSpecificationMentions()
    {
        var problems = new List<string>();
        foreach (var file in files)
        {
            var lines = ReadBounded(file).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (OutsideSpecificationMarkers.Any(m => lines[i].Contains(m, StringComparison.Ordinal)))
                {
                    problems.Add($"{Relative(file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        return problems;
    }

    private string? Resolve(string citingFile, string document, out string why)
    {
        var citingDir = Path.GetDirectoryName(citingFile)!;
        var candidates = document.Contains('/', StringComparison.Ordinal)
            ? new[] { Path.Combine(citingDir, document), Path.Combine(root, document) }
            : new[] { Path.Combine(root, "docs", document), Path.Combine(citingDir, document) };
        foreach (var candidate in candidates.Select(Path.GetFullPath))
        {
            if (IsInsideRoot(candidate) && File.Exists(candidate))
            {
                why = "";
                return candidate;
            }
        }

        if (!document.Contains('/', StringComparison.Ordinal))
        {
            var sameName = markdownByName[document].ToList();
            if (sameName.Count == 1)
            {
                why = "";
                return sameName[0];
            }

            why = sameName.Count == 0
                ? "which is neither in docs/ nor next to the citing file nor anywhere in the repository"
                : $"a name that {sameName.Count} files of the repository bear ({string.Join(", ", sameName.Select(Relative))}): give its path";
            return null;
        }

        why = "a path that leads to no file inside the repository";
        return null;
    }

    private MarkdownNumbering NumberingOf(string document)
    {
        if (!numberings.TryGetValue(document, out var numbering))
        {
            numbering = MarkdownNumbering.Read(ReadBounded(document));
            numberings[document] = numbering;
        }

        return numbering!;
    }

    private bool IsInsideRoot(string fullPath) =>
        fullPath.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private string Relative(string fullPath) => Path.GetRelativePath(root, fullPath).Replace('\\', '/');

    private static string ReadBounded(string path)
    {
        if (new FileInfo(path).Length <= MaxCharsPerFile)
        {
            return File.ReadAllText(path);
        }

        using var reader = new StreamReader(path);
        var buffer = new char[MaxCharsPerFile];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, read);
    }
}
