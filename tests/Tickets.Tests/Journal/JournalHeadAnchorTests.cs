using System.Security.Cryptography;
using System.Text;
using Middleware.Tickets.Journal;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Xunit;

namespace Middleware.Tickets.Tests.Journal;

/// <summary>The head file as each commit leaves it, and the hash and signature of entries, against independent
/// computations (the spec's encoding, BouncyCastle's own signer), on real files.</summary>
public sealed class JournalHeadAnchorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "journal-head-" + Guid.NewGuid().ToString("N"));
    private readonly JournalSigningKey _key = JournalSigningKey.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Each_advance_leaves_the_signed_head_in_a_private_file_and_its_missing_folder_is_made()
    {
        var path = Path.Combine(_dir, "data", "journal.head");
        var anchor = new JournalHeadAnchor(path, _key);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));

        for (var seq = 1; seq <= 3; seq++)
        {
            var head = new JournalHead(seq, Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(seq))));
            anchor.Advance(head);

            var (read, error) = JournalHeadAnchor.Read(path);
            Assert.Null(error);
            Assert.Equal((head.Seq, head.Hash, _key.KeyId), (read!.Seq, read.Hash, read.KeyId));
            Assert.True(JournalSigningKey.Verify(_key.PublicKey, JournalHash.HeadMessage(head), Convert.FromBase64String(read.Signature)));
        }

        Assert.Equal("{\"seq\":3,", File.ReadAllText(path)[..9]);
        Assert.False(File.Exists(path + ".tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_temp_file_left_by_a_crash_longer_and_readable_by_others_is_replaced_whole_and_private()
    {
        var path = Path.Combine(_dir, "journal.head");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(path + ".tmp", new string('x', 5000));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        new JournalHeadAnchor(path, _key).Advance(new JournalHead(1, JournalHash.Genesis));

        var (read, error) = JournalHeadAnchor.Read(path);
        Assert.Null(error);
        Assert.Equal(1, read!.Seq);
        Assert.True(new FileInfo(path).Length < 300);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_head_folder_removed_while_running_is_made_again_at_the_next_advance()
    {
        var path = Path.Combine(_dir, "data", "journal.head");
        var anchor = new JournalHeadAnchor(path, _key);
        anchor.Advance(new JournalHead(1, JournalHash.Genesis));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);

        anchor.Advance(new JournalHead(2, JournalHash.Genesis));

        Assert.Equal(2, JournalHeadAnchor.Read(path).Head!.Seq);
    }

    [Fact]
    public void The_entry_hash_is_the_specified_encoding_and_its_signature_is_the_plain_ed25519_signature()
    {
        var body = "{\"lignes\":[\"Repas à 3,30 €\"]}" + new string('é', 3000);
        var prev = Convert.ToHexStringLower(SHA256.HashData("prev"u8));

        var hash = JournalHash.Compute(prev, 42, "2026-03-18T10:30:00.0000000Z", JournalKinds.Ticket, "5-1-9-8-14", null, body);

        // domain ‖ prevHash ‖ seq (int64 big-endian) ‖ each field: length (int32 big-endian, -1 for null) ‖ UTF-8
        using var expected = new MemoryStream();
        expected.Write("izly-middleware-journal/1\n"u8);
        expected.Write(Convert.FromHexString(prev));
        expected.Write(BigEndian(BitConverter.GetBytes(42L)));
        foreach (var field in new[] { "2026-03-18T10:30:00.0000000Z", JournalKinds.Ticket, "5-1-9-8-14", null, body })
        {
            var bytes = field is null ? null : Encoding.UTF8.GetBytes(field);
            expected.Write(BigEndian(BitConverter.GetBytes(bytes?.Length ?? -1)));
            expected.Write(bytes ?? []);
        }

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected.ToArray())), hash);
        Assert.Throws<FormatException>(() => JournalHash.Compute("not hex", 1, "", "", null, null, ""));

        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), 0));
        var message = Convert.FromHexString(hash);
        signer.BlockUpdate(message, 0, message.Length);
        Assert.Equal(signer.GenerateSignature(), _key.Sign(message));
        Span<byte> into = stackalloc byte[64];
        _key.Sign(message, into);
        Assert.Equal(_key.Sign(message), into.ToArray());
    }

    private static byte[] BigEndian(byte[] littleEndian)
    {
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(littleEndian);
        }

        return littleEndian;
    }
}
