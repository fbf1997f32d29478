using Microsoft.Extensions.Logging;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// Accepted scripts' assemblies on disk, named by <see cref="ScriptIdentity.Hash"/>: a restart loads them
/// instead of recompiling. Only scripts that passed the safety check are written; a damaged entry is ignored.
/// </summary>
internal sealed class CompileCache(string? directory, ILogger logger)
{
    public bool Enabled => directory is not null;

    public byte[]? TryRead(string hash)
    {
        if (directory is null)
        {
            return null;
        }

        var path = Path.Combine(directory, hash + ".dll");
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Script compile cache entry {Path} unreadable; recompiling", path);
            return null;
        }
    }

    public void Write(string hash, byte[] image)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, hash + ".dll");
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, image);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs a recompile at the next start.
            logger.LogWarning(ex, "Cannot write the script compile cache in {Directory}", directory);
        }
    }

    public void Delete(string hash)
    {
        if (directory is not null)
        {
            try
            {
                File.Delete(Path.Combine(directory, hash + ".dll"));
            }
            catch (IOException)
            {
            }
        }
    }
}
