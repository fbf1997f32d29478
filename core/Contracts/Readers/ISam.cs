namespace Middleware.Contracts.Readers;

/// <summary>
/// A Secure Access Module (<c>cards.md</c> §2), as a hardware SAM AV2 works: the master keys never leave it,
/// it runs the card authentication itself and then applies secure messaging; plugins get it through
/// <c>IPluginContext.GetService&lt;ISam&gt;()</c>.
/// </summary>
/// <remarks>
/// <para>The protocol follows the key entry's <see cref="SamTechnology"/>:
/// <see cref="SamTechnology.Desfire"/> → DESFire EV1 <c>AuthenticateAES</c> (<c>AA</c>, AES-128, 16-byte challenge),
/// then EV1 secure messaging; <see cref="SamTechnology.UltralightC"/> → Ultralight C <c>1A</c> (2K3DES,
/// 8-byte challenge), no secure messaging after it.
/// <see cref="SamTechnology.Classic"/> has no SAM-run authentication: the reader needs key A itself, so
/// <see cref="ExportDiversifiedKeyAsync"/> hands out the <b>diversified</b> sector key (never a master key), and only
/// for a key entry marked exportable.</para>
/// <para>Errors are <see cref="SamException"/>; a SAM never includes key material in messages or logs.</para>
/// </remarks>
public interface ISam
{
    /// <summary>This SAM's identifier (reported with every read as <see cref="CardIdentity.SamId"/>).</summary>
    string SamId { get; }

    /// <summary>
    /// Step 1 of a card authentication (<c>SAM_AuthenticatePICC</c> part 1): the SAM diversifies the key
    /// <paramref name="key"/> with <paramref name="diversification"/>, deciphers the card's challenge
    /// (<c>ek(RndB)</c>, IV = 0), draws RndA and returns the reader's answer <c>E(RndA ‖ rotl(RndB))</c> with the IV
    /// chained on. Throws <see cref="SamException"/> (<see cref="SamError.KeyNotFound"/>, <see cref="SamError.InvalidInput"/>).
    /// </summary>
    /// <param name="key">Which master key (technology and key number).</param>
    /// <param name="diversification">The card's diversification input (UID, AID or sector).</param>
    /// <param name="cardChallenge">The card's enciphered challenge as the card sent it (16 bytes AES, 8 bytes 2K3DES).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ISamAuthentication> BeginAuthenticationAsync(
        SamKeyReference key,
        SamDiversification diversification,
        ReadOnlyMemory<byte> cardChallenge,
        CancellationToken cancellationToken);

    /// <summary>
    /// The diversified key for readers that must hold it themselves (MIFARE Classic key A: the first 6 bytes
    /// of the AN10922 result). Only for key entries marked exportable; otherwise throws
    /// <see cref="SamException"/> with <see cref="SamError.KeyNotExportable"/>. The caller disposes the result
    /// as soon as the key is loaded into the reader (disposal wipes it).
    /// </summary>
    /// <param name="key">Which master key.</param>
    /// <param name="diversification">The card's diversification input.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<SamExportedKey> ExportDiversifiedKeyAsync(SamKeyReference key, SamDiversification diversification, CancellationToken cancellationToken);
}

/// <summary>An authentication in progress: the reader's answer to send, then the card's proof to check.
/// Dispose it to abandon the authentication (the SAM wipes RndA/RndB).</summary>
public interface ISamAuthentication : IDisposable
{
    /// <summary>What the reader sends to the card after the <c>AF</c> code: <c>E(RndA ‖ rotl(RndB))</c>
    /// (32 bytes for AES, 16 bytes for 2K3DES).</summary>
    ReadOnlyMemory<byte> ReaderResponse { get; }

    /// <summary>
    /// Step 2 (<c>SAM_AuthenticatePICC</c> part 2): checks the card's proof <c>ek(rotl(RndA))</c> (IV chained on) and
    /// opens the session (session key derived inside the SAM, IV reset to zero). Throws <see cref="SamException"/>
    /// with <see cref="SamError.AuthenticationFailed"/> when the proof is wrong (wrong key or a fake card).
    /// Can be called once.
    /// </summary>
    /// <param name="cardProof">The card's answer data (without the status bytes).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ISamSession> CompleteAsync(ReadOnlyMemory<byte> cardProof, CancellationToken cancellationToken);
}

/// <summary>
/// The DESFire EV1 secure-messaging state after a successful authentication (<c>cards.md</c> §3 step 4): the session key
/// stays in the SAM; the session keeps the IV. Dispose it when the card is done (wipes the session key).
/// </summary>
/// <remarks>
/// <para>Call <see cref="ProtectCommandAsync"/> once per <b>logical</b> command (its first frame: INS and all of its
/// data) and <see cref="UnprotectResponseAsync"/> once per logical answer (the data of all its <c>91 AF</c> frames
/// concatenated, and the final status). Additional-frame requests (<c>AF</c>) are not given to the session, as on a
/// real DESFire EV1 card.</para>
/// <para>An answer with an error status (anything but <c>00</c>) carries no MAC and ends the card's authentication:
/// <see cref="UnprotectResponseAsync"/> then throws <see cref="SamException"/> with <see cref="SamError.InvalidState"/>
/// and the session cannot be used any more. A session is not thread-safe (one card, one command at a time).</para>
/// <para>Only DESFire sessions have secure messaging: on an Ultralight C session both methods throw
/// <see cref="SamError.InvalidState"/>.</para>
/// </remarks>
public interface ISamSession : IDisposable
{
    /// <summary>
    /// Prepares a command: updates the IV with <c>CMAC(session key, IV, INS ‖ header ‖ data)</c> (for every command,
    /// plain ones too) and returns the bytes to send after INS:
    /// <see cref="SecureMessagingMode.Plain"/> → <c>header ‖ data</c>;
    /// <see cref="SecureMessagingMode.Maced"/> → <c>header ‖ data ‖ CMAC[0..8]</c>;
    /// <see cref="SecureMessagingMode.Enciphered"/> → <c>header ‖ E(data ‖ CRC32(INS ‖ header ‖ data) ‖ zero padding)</c>
    /// (CBC from the current IV; the last ciphertext block becomes the IV; no CMAC step then).
    /// </summary>
    /// <param name="ins">The DESFire instruction code (e.g. <c>BD</c> ReadData).</param>
    /// <param name="header">The command's plain header (e.g. file number, offset, length); may be empty.</param>
    /// <param name="data">The command's data to protect; may be empty.</param>
    /// <param name="mode">How the data travels.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<byte[]> ProtectCommandAsync(byte ins, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> data, SecureMessagingMode mode, CancellationToken cancellationToken);

    /// <summary>
    /// Checks an answer and returns its plain data:
    /// <see cref="SecureMessagingMode.Plain"/> and <see cref="SecureMessagingMode.Maced"/> → the answer ends with
    /// <c>CMAC(session key, IV, data ‖ status)[0..8]</c>, verified (the full CMAC becomes the IV), data returned without it;
    /// <see cref="SecureMessagingMode.Enciphered"/> → deciphered (CBC from the IV; the last ciphertext block becomes the IV),
    /// <c>CRC32(data ‖ status)</c> and the zero padding checked, data returned.
    /// Throws <see cref="SamException"/> with <see cref="SamError.IntegrityError"/> on a wrong MAC, CRC, padding or length.
    /// </summary>
    /// <param name="response">The answer's data (all frames, without status bytes).</param>
    /// <param name="status">The final DESFire status (SW2 of <c>91 xx</c>); <c>00</c> on success.</param>
    /// <param name="mode">How the answer travels.</param>
    /// <param name="expectedLength">The plain data length when known (e.g. the ReadData length); <c>null</c> to locate the
    /// CRC from the padding (an enciphered answer only).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<byte[]> UnprotectResponseAsync(ReadOnlyMemory<byte> response, byte status, SecureMessagingMode mode, int? expectedLength, CancellationToken cancellationToken);
}

/// <summary>How a DESFire command or answer travels after authentication.</summary>
public enum SecureMessagingMode
{
    /// <summary>Plain data; commands still update the IV, answers carry an 8-byte CMAC.</summary>
    Plain,

    /// <summary>Plain data followed by an 8-byte CMAC (commands and answers).</summary>
    Maced,

    /// <summary>Enciphered data with a CRC32 and zero padding.</summary>
    Enciphered,
}

/// <summary>The technologies a SAM holds master keys for (each with its own keys).</summary>
public enum SamTechnology
{
    /// <summary>MIFARE DESFire EV1/EV2 (AES-128 keys).</summary>
    Desfire,

    /// <summary>MIFARE Classic 1K and 4K (key A exported per sector).</summary>
    Classic,

    /// <summary>MIFARE Ultralight C (2K3DES keys).</summary>
    UltralightC,
}

/// <summary>A master key in the SAM: a technology and a key number (e.g. DESFire key 1, the read key).</summary>
/// <param name="Technology">The technology.</param>
/// <param name="KeyNumber">The key number (0..255) within that technology.</param>
public readonly record struct SamKeyReference(SamTechnology Technology, byte KeyNumber)
{
    /// <inheritdoc />
    public override string ToString() => $"{Technology} key {KeyNumber}";
}

/// <summary>
/// The card-side input of AN10922 diversification (<c>cards.md</c> §2). The SAM builds the message <c>M</c>
/// from it: DESFire <c>UID ‖ AID (LSB first) ‖ system identifier</c>; Classic <c>UID ‖ sector ‖ system identifier</c>;
/// Ultralight C <c>UID ‖ system identifier</c>. The system identifier (default ASCII <c>CROUS</c>) is SAM configuration.
/// </summary>
/// <param name="Uid">The card's UID as GET DATA returns it (7 bytes for DESFire and Ultralight C, 4 or 7 for Classic).</param>
/// <param name="ApplicationId">The DESFire AID as a number (e.g. <c>0xF58540</c>); written LSB first in <c>M</c>.</param>
/// <param name="Sector">The MIFARE Classic sector number.</param>
public sealed record SamDiversification(ReadOnlyMemory<byte> Uid, uint? ApplicationId = null, byte? Sector = null)
{
    /// <summary>DESFire input: UID and AID.</summary>
    public static SamDiversification ForDesfire(ReadOnlyMemory<byte> uid, uint applicationId) => new(uid, applicationId);

    /// <summary>MIFARE Classic input: UID and sector.</summary>
    public static SamDiversification ForClassic(ReadOnlyMemory<byte> uid, byte sector) => new(uid, null, sector);

    /// <summary>Ultralight C input: UID only.</summary>
    public static SamDiversification ForUltralightC(ReadOnlyMemory<byte> uid) => new(uid);

    /// <inheritdoc />
    public override string ToString() => $"UID {Uid.Length} bytes, AID {(ApplicationId is { } a ? a.ToString("X6") : "-")}, sector {(Sector?.ToString() ?? "-")}";
}

/// <summary>A diversified key the SAM was allowed to export. Dispose it as soon as it is used: disposal wipes it.</summary>
public sealed class SamExportedKey : IDisposable
{
    private readonly byte[] _key;
    private bool _disposed;

    /// <summary>Wraps <paramref name="key"/> (taken over, not copied: it is wiped on disposal).</summary>
    /// <param name="key">The diversified key bytes.</param>
    public SamExportedKey(byte[] key) => _key = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>The key bytes (the whole AN10922 result; Classic key A is its first 6 bytes).</summary>
    /// <exception cref="ObjectDisposedException">After disposal.</exception>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>Wipes the key.</summary>
    public void Dispose()
    {
        Array.Clear(_key);
        _disposed = true;
    }

    /// <summary>Never shows the key.</summary>
    public override string ToString() => $"SamExportedKey({_key.Length} bytes)";
}

/// <summary>Stable SAM error classes.</summary>
public enum SamError
{
    /// <summary>Anything not listed.</summary>
    Other,

    /// <summary>The SAM has no key entry for this technology and key number.</summary>
    KeyNotFound,

    /// <summary>The key entry does not allow exporting diversified keys.</summary>
    KeyNotExportable,

    /// <summary>The card's proof did not match: wrong key, wrong diversification, or not a genuine card.</summary>
    AuthenticationFailed,

    /// <summary>A MAC, CRC32 or padding check failed on a card answer.</summary>
    IntegrityError,

    /// <summary>Input of the wrong size or shape (challenge length, UID length, missing AID or sector).</summary>
    InvalidInput,

    /// <summary>The call does not fit the state (authentication already completed, session ended by an error status, disposed).</summary>
    InvalidState,

    /// <summary>The SAM is missing, not configured, or its reader failed.</summary>
    Unavailable,
}

/// <summary>A SAM failure with a stable <see cref="SamError"/>. Messages never include key material.</summary>
public sealed class SamException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SamException(SamError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    /// <summary>Creates the exception with <see cref="SamError.Other"/>.</summary>
    public SamException() : this(SamError.Other, "SAM failure.") { }

    /// <summary>Creates the exception with <see cref="SamError.Other"/>.</summary>
    public SamException(string message) : this(SamError.Other, message) { }

    /// <summary>Creates the exception with <see cref="SamError.Other"/>.</summary>
    public SamException(string message, Exception inner) : this(SamError.Other, message, inner) { }

    /// <summary>The stable error class.</summary>
    public SamError Error { get; }
}
