namespace Middleware.Domain.Tests.Documentation;

/// <summary>The repository's root: the nearest folder above the test binaries that holds <c>Middleware.sln</c>.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Middleware.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Middleware.sln.");
    }
}
