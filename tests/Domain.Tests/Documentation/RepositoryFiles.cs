namespace Middleware.Domain.Tests.Documentation;

/// <summary>The source and documentation files whose text may cite a document: build outputs and git data left out.</summary>
internal static class RepositoryFiles
{
    private static readonly string[] Extensions = [".cs", ".csx", ".md", ".json", ".sh"];
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { "bin", "obj", ".artifacts", ".git" };

    /// <summary>Every scanned file under <paramref name="root"/>, as full paths, in a stable order.</summary>
    public static IReadOnlyList<string> Under(string root)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                // A symbolic link could lead out of the repository or into a loop.
                if (!SkippedFolders.Contains(Path.GetFileName(sub)) && new DirectoryInfo(sub).LinkTarget is null)
                {
                    pending.Push(sub);
                }
            }

            found.AddRange(Directory.EnumerateFiles(dir).Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)));
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
