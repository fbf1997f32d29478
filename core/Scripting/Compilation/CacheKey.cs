using System.Security.Cryptography;
using Middleware.Shared.Files;

namespace Middleware.Scripting.Compilation;

/// <summary>The compile cache's key file is missing its 32 bytes or readable by others.</summary>
internal sealed class CacheKeyException(string message) : Exception(message);

/// <summary>
/// The compile cache's HMAC key: 32 random bytes in a file of its own beside the host's secrets, created 0600 on
/// first use. A key file that others may read or write is refused (they could sign an image of their own).
/// </summary>
internal static class CacheKey
{
    public const int Length = 32;

    public static byte[] LoadOrCreate(string path)
    {
        PrivateFolder.CreateMissing(Path.GetDirectoryName(Path.GetFullPath(path)));

        // Every start but the first finds the key: it is read without first failing to create it (a thrown and
        // caught IOException cost about 8 ms of CPU at each cold start, its first exception).
        return File.Exists(path) ? Read(path) : Create(path);
    }

    private static byte[] Create(string path)
    {
        try
        {
            var fresh = RandomNumberGenerator.GetBytes(Length);
            using (var stream = PrivateFolder.CreateFile(path, FileMode.CreateNew))
            {
                stream.Write(fresh);
            }

            return fresh;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created by a concurrent start since our check: read theirs.
        }

        return Read(path);
    }

    private static byte[] Read(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new CacheKeyException($"the cache key {path} is readable or writable by other users (chmod 600 it, or delete it to make a new one)");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (file.Length != Length)
        {
            throw new CacheKeyException($"the cache key {path} is {file.Length} bytes long, not {Length} (delete it to make a new one)");
        }

        var key = new byte[Length];
        file.ReadExactly(key);
        return key;
    }
}
