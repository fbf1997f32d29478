using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Middleware.Shared.Files;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// Accepted scripts' assemblies on disk, named by <see cref="ScriptIdentity.Hash"/>: a restart loads them instead of
/// recompiling. The folder is the host's own (mode 0700), and each image carries an HMAC-SHA256 of its name and bytes
/// under the installation's cache key (<see cref="CacheKey"/>): an image anyone else wrote or changed fails the check,
/// is deleted and rebuilt from its source, and never loaded. Only scripts that passed the safety check are written.
/// </summary>
internal sealed class CompileCache
{
    /// <summary>An image larger than this is not a compiled script: refused unread.</summary>
    public const long MaxImageBytes = 16 * 1024 * 1024;

    private const int TagBytes = 32;
    private readonly string? directory;
    private readonly byte[]? key;
    private readonly ILogger logger;

    public CompileCache(string? directory, string? keyFile, ILogger logger)
    {
        this.logger = logger;
        if (directory is null || keyFile is null)
        {
            return;
        }

        try
        {
            PrivateFolder.Create(directory);
            key = CacheKey.LoadOrCreate(keyFile);
            this.directory = directory;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CacheKeyException)
        {
            // Without a trusted folder and key the cache is off: scripts compile at every start, nothing is loaded from disk.
            logger.LogWarning(ex, "Script compile cache disabled: {Directory} or its key {KeyFile} cannot be used", directory, keyFile);
        }
    }

    public bool Enabled => directory is not null;

    public byte[]? TryRead(string hash)
    {
        if (directory is null || key is null)
        {
            return null;
        }

        var path = PathOf(hash);
        byte[] file;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            if (info.Length is <= TagBytes or > MaxImageBytes)
            {
                return Reject(hash, path, $"its size ({info.Length:N0} bytes) is not a compiled script's");
            }

            file = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Script compile cache entry {Path} unreadable; recompiling", path);
            return null;
        }

        var image = file.AsSpan(TagBytes).ToArray();
        if (!CryptographicOperations.FixedTimeEquals(file.AsSpan(0, TagBytes), Tag(hash, image)))
        {
            return Reject(hash, path, "its HMAC does not match (changed or written by someone else)");
        }

        return image;
    }

    public void Write(string hash, byte[] image)
    {
        if (directory is null || key is null)
        {
            return;
        }

        try
        {
            var path = PathOf(hash);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            using (var stream = PrivateFolder.CreateFile(temp))
            {
                stream.Write(Tag(hash, image));
                stream.Write(image);
            }

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
                File.Delete(PathOf(hash));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "Cannot delete the script compile cache entry {Hash}", hash[..12]);
            }
        }
    }

    private byte[]? Reject(string hash, string path, string why)
    {
        logger.LogWarning("Script compile cache entry {Path} rejected: {Reason}; deleted, the script is rebuilt from its source", path, why);
        Delete(hash);
        return null;
    }

    // The name is in the MAC: a valid image of another script cannot be renamed into this one's place.
    private byte[] Tag(string hash, byte[] image)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key!);
        hmac.AppendData(Encoding.UTF8.GetBytes(ScriptIdentity.EngineVersion + "\n" + hash + "\n"));
        hmac.AppendData(image);
        return hmac.GetHashAndReset();
    }

    private string PathOf(string hash) =>
        hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)
            ? Path.Combine(directory!, hash + ".dll")
            : throw new ArgumentException("not a script hash", nameof(hash));
}
