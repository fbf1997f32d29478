using System.Security.Cryptography;
using System.Text;
using Middleware.Shared.Files;

namespace Middleware.Host.Operator;

/// <summary>
/// The operator web server's access key: 32 random bytes, base64url, in a 0600 file created at first start. An
/// operator who may read the file (the host's account, or root) may read the pages; nobody else on the machine.
/// </summary>
internal sealed class OperatorAccessKey
{
    private readonly byte[] _key;

    private OperatorAccessKey(string value) => _key = Encoding.ASCII.GetBytes(value);

    /// <summary>The key's text, as a client sends it.</summary>
    public string Value => Encoding.ASCII.GetString(_key);

    /// <summary>Compares in constant time (a timing answer must not reveal the key byte by byte).</summary>
    public bool Matches(ReadOnlySpan<char> candidate)
    {
        if (candidate.IsEmpty || candidate.Length > 256)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[candidate.Length];
        var count = Encoding.ASCII.GetBytes(candidate, bytes);
        return CryptographicOperations.FixedTimeEquals(bytes[..count], _key);
    }

    /// <summary>Reads the key file, or creates it (0600) when it does not exist; refuses one others may read.</summary>
    public static OperatorAccessKey LoadOrCreate(string path)
    {
        PrivateFolder.CreateMissing(Path.GetDirectoryName(Path.GetFullPath(path)));
        if (!File.Exists(path))
        {
            // Written whole and flushed under another name, then moved: a power cut never leaves an empty key file.
            var value = Base64Url(RandomNumberGenerator.GetBytes(32));
            var temp = path + ".new-" + Guid.NewGuid().ToString("N");
            using (var stream = PrivateFolder.CreateFile(temp, FileMode.CreateNew))
            {
                stream.Write(Encoding.ASCII.GetBytes(value + "\n"));
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
                return new OperatorAccessKey(value);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp); // another start made it first: read theirs below
            }
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException($"OperatorWeb:AccessKeyFile '{path}' may be read or written by other accounts; make it 0600 (chmod 600).");
        }

        var text = File.ReadAllText(path).Trim();
        if (text.Length < 16 || text.Length > 256 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new InvalidOperationException($"OperatorWeb:AccessKeyFile '{path}' does not hold a key (16 to 256 characters: letters, digits, - and _).");
        }

        return new OperatorAccessKey(text);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
