namespace Middleware.Scripting.Rollout;

/// <summary>A scripts folder that cannot be checked or deployed as it is (the message says what and where).</summary>
public sealed class ScriptTreeException(string message) : Exception(message);

/// <summary>
/// The files of a scripts folder as a roll-out takes them (a Git checkout of Crous IT's scripts: hostile until
/// checked). Entries whose name starts with a dot (<c>.git</c>, editor files) are left out, as the engine leaves them
/// out. A symbolic link is refused when it points outside the folder, dangles or names a folder (a loop, or a
/// second path to the same files); a link to a file inside the folder is taken as that file. Bounded: at most
/// <see cref="MaxFiles"/> files, <see cref="MaxFileBytes"/> each, <see cref="MaxTotalBytes"/> in all.
/// </summary>
public sealed class ScriptTree
{
    public const int MaxFiles = 5_000;
    public const long MaxFileBytes = 4L * 1024 * 1024;
    public const long MaxTotalBytes = 64L * 1024 * 1024;
    private const int MaxLinkHops = 8;

    private ScriptTree(string root, IReadOnlyList<string> directories, IReadOnlyList<ScriptTreeFile> files)
    {
        Root = root;
        Directories = directories;
        Files = files;
    }

    /// <summary>The folder, absolute, without a trailing separator.</summary>
    public string Root { get; }

    /// <summary>Sub-folders, relative, parents first.</summary>
    public IReadOnlyList<string> Directories { get; }

    public IReadOnlyList<ScriptTreeFile> Files { get; }

    /// <exception cref="ScriptTreeException">The folder is missing, too large, or holds a link it must not.</exception>
    public static ScriptTree Read(string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!Directory.Exists(root))
        {
            throw new ScriptTreeException($"'{folder}' is not a folder.");
        }

        var directories = new List<string>();
        var files = new List<ScriptTreeFile>();
        long total = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (entry.Name.StartsWith('.'))
                {
                    continue;
                }

                var relative = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
                var source = entry.FullName;
                if (entry.LinkTarget is not null)
                {
                    source = InsideTarget(root, entry, relative);
                }
                else if (entry is DirectoryInfo)
                {
                    directories.Add(relative);
                    pending.Push(entry.FullName);
                    continue;
                }

                var length = new FileInfo(source).Length;
                if (length > MaxFileBytes)
                {
                    throw new ScriptTreeException($"{relative} is {length} bytes: a scripts folder file may be {MaxFileBytes} bytes at most.");
                }

                total += length;
                files.Add(new ScriptTreeFile(relative, source, length));
                if (files.Count > MaxFiles || total > MaxTotalBytes)
                {
                    throw new ScriptTreeException($"The folder holds more than {MaxFiles} files or {MaxTotalBytes} bytes: is '{folder}' really a scripts folder?");
                }
            }
        }

        return new ScriptTree(root, directories, files);
    }

    /// <summary>The file a link inside the folder stands for; refuses one leading out, dangling, or to a folder.</summary>
    private static string InsideTarget(string root, FileSystemInfo link, string relative)
    {
        var path = link.FullName;
        for (var hop = 0; hop < MaxLinkHops; hop++)
        {
            var target = new FileInfo(path).LinkTarget;
            if (target is null)
            {
                if (Directory.Exists(path))
                {
                    throw new ScriptTreeException($"{relative} is a link to a folder: make it a real folder (a linked folder could loop or be read twice).");
                }

                return File.Exists(path) ? path : throw new ScriptTreeException($"{relative} is a link to nothing ({link.LinkTarget}).");
            }

            path = Path.GetFullPath(target, Path.GetDirectoryName(path)!);
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new ScriptTreeException($"{relative} is a link leading out of the folder ({link.LinkTarget}): refused, a roll-out takes only the folder's own files.");
            }
        }

        throw new ScriptTreeException($"{relative} is a chain of more than {MaxLinkHops} links.");
    }
}

/// <summary>One file of a <see cref="ScriptTree"/>: its relative path ('/'), the path to read it from, its size.</summary>
public sealed record ScriptTreeFile(string RelativePath, string SourcePath, long Length);
