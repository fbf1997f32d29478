using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Cards.Crypto;
using Middleware.Contracts.Readers;

namespace Middleware.Cards.Sam;

/// <summary>
/// A SAM in process (<c>cards.md</c> §2) for the sandbox, development and tests: AN10922 AES-128 diversification of one
/// master key per technology and key number, card authentication and EV1 secure messaging, all behind <see cref="ISam"/>.
/// Master keys come from the key file (<see cref="SoftwareSamOptions.KeyFile"/>, loaded on first use), are never logged
/// or returned, and are wiped on disposal; diversified keys, randoms and session keys are wiped after use.
/// </summary>
internal sealed class SoftwareSam : ISam, IDisposable
{
    private readonly SoftwareSamOptions _options;
    private readonly ILogger<SoftwareSam> _logger;
    private readonly Lock _gate = new();
    private SamKeyFile? _keys;
    private bool _disposed;

    public SoftwareSam(IOptions<SoftwareSamOptions> options, ILogger<SoftwareSam> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The SAM id from the key file. Throws <see cref="SamException"/> (<see cref="SamError.Unavailable"/>) when the file cannot be loaded.</summary>
    public string SamId => Keys().SamId;

    public Task<ISamAuthentication> BeginAuthenticationAsync(
        SamKeyReference key,
        SamDiversification diversification,
        ReadOnlyMemory<byte> cardChallenge,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(diversification);
        var file = Keys();
        var entry = file.Find(key) ?? throw new SamException(SamError.KeyNotFound, $"The SAM has no {key}.");
        if (key.Technology == SamTechnology.Classic)
        {
            throw new SamException(SamError.InvalidInput, "MIFARE Classic has no SAM-run authentication: export the sector key instead.");
        }

        var input = BuildInput(key.Technology, diversification, file.SystemIdentifier);
        var cardKey = An10922.DiversifyAes128(entry.Key, input);
        try
        {
            var cipher = key.Technology == SamTechnology.Desfire ? BlockCipher.Aes(cardKey) : BlockCipher.TripleDes(cardKey);
            try
            {
                ISamAuthentication authentication = new Authentication(key.Technology, cipher, cardChallenge.Span);
                cipher = null;
                return Task.FromResult(authentication);
            }
            finally
            {
                cipher?.Dispose();
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(cardKey);
            CryptographicOperations.ZeroMemory(input);
        }
    }

    public Task<SamExportedKey> ExportDiversifiedKeyAsync(SamKeyReference key, SamDiversification diversification, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(diversification);
        var file = Keys();
        var entry = file.Find(key) ?? throw new SamException(SamError.KeyNotFound, $"The SAM has no {key}.");
        if (!entry.Exportable)
        {
            throw new SamException(SamError.KeyNotExportable, $"The SAM's {key} does not allow exporting diversified keys.");
        }

        var input = BuildInput(key.Technology, diversification, file.SystemIdentifier);
        try
        {
            return Task.FromResult(new SamExportedKey(An10922.DiversifyAes128(entry.Key, input)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _keys?.Dispose();
            _keys = null;
        }
    }

    /// <summary>The AN10922 input M of <c>cards.md</c> §2 (see <see cref="CardKeyDiversification.BuildInput"/>).</summary>
    internal static byte[] BuildInput(SamTechnology technology, SamDiversification diversification, ReadOnlySpan<byte> systemIdentifier) =>
        CardKeyDiversification.BuildInput(technology, diversification, systemIdentifier);

    private SamKeyFile Keys()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_keys is not null)
            {
                return _keys;
            }

            if (string.IsNullOrWhiteSpace(_options.KeyFile))
            {
                throw new SamException(SamError.Unavailable, $"No SAM key file is configured ({SoftwareSamOptions.SectionName}:KeyFile).");
            }

            try
            {
                _keys = SamKeyFile.Load(_options.KeyFile);
            }
            catch (SamException ex)
            {
                _logger.LogError("Software SAM unavailable: {Reason}", ex.Message);
                throw;
            }

            _logger.LogInformation(
                "Software SAM {SamId} loaded {KeyCount} key entries ({Entries}) from {KeyFile}",
                _keys.SamId,
                _keys.Keys.Count,
                string.Join(", ", _keys.Keys),
                _options.KeyFile);
            return _keys;
        }
    }

    /// <summary>Step 1 done, waiting for the card's proof. Holds the diversified-key cipher and the randoms until completed or disposed.</summary>
    private sealed class Authentication : ISamAuthentication
    {
        private readonly SamTechnology _technology;
        private readonly BlockCipher _cipher;
        private readonly byte[] _rndA;
        private readonly byte[] _rndB;
        private readonly byte[] _iv;
        private bool _done;

        public Authentication(SamTechnology technology, BlockCipher cipher, ReadOnlySpan<byte> challenge)
        {
            var n = cipher.BlockSize;
            if (challenge.Length != n)
            {
                throw new SamException(SamError.InvalidInput, $"The card's challenge is {n} bytes for {technology}, not {challenge.Length}.");
            }

            _technology = technology;
            _cipher = cipher;
            _iv = new byte[n];
            _rndB = new byte[n];
            _rndA = new byte[n];
            cipher.DecryptCbc(challenge, _iv, _rndB);
            RandomNumberGenerator.Fill(_rndA);

            var plain = new byte[2 * n];
            _rndA.CopyTo(plain, 0);
            DesfireSessionKeys.RotateLeft(_rndB).CopyTo(plain, n);
            var answer = new byte[2 * n];
            cipher.EncryptCbc(plain, _iv, answer);
            CryptographicOperations.ZeroMemory(plain);
            ReaderResponse = answer;
        }

        public ReadOnlyMemory<byte> ReaderResponse { get; }

        public Task<ISamSession> CompleteAsync(ReadOnlyMemory<byte> cardProof, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_done)
            {
                throw new SamException(SamError.InvalidState, "This authentication is already completed or abandoned.");
            }

            _done = true;
            try
            {
                var n = _cipher.BlockSize;
                if (cardProof.Length != n)
                {
                    throw new SamException(SamError.AuthenticationFailed, $"The card's proof is {cardProof.Length} bytes, {n} expected.");
                }

                var rotatedA = new byte[n];
                try
                {
                    _cipher.DecryptCbc(cardProof.Span, _iv, rotatedA);
                    var expected = DesfireSessionKeys.RotateLeft(_rndA);
                    var match = CryptographicOperations.FixedTimeEquals(rotatedA, expected);
                    CryptographicOperations.ZeroMemory(expected);
                    if (!match)
                    {
                        throw new SamException(SamError.AuthenticationFailed, "The card's proof does not match: wrong key or not a genuine card.");
                    }
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(rotatedA);
                }

                if (_technology != SamTechnology.Desfire)
                {
                    return Task.FromResult<ISamSession>(new Session(null));
                }

                var sessionKey = DesfireSessionKeys.Derive(DesfireKeyType.Aes128, _rndA, _rndB);
                try
                {
                    return Task.FromResult<ISamSession>(new Session(new Ev1SecureMessaging(DesfireKeyType.Aes128, sessionKey)));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(sessionKey);
                }
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            _done = true;
            CryptographicOperations.ZeroMemory(_rndA);
            CryptographicOperations.ZeroMemory(_rndB);
            CryptographicOperations.ZeroMemory(_iv);
            _cipher.Dispose();
        }
    }

    /// <summary>An authenticated card: secure messaging until an error status or disposal.</summary>
    private sealed class Session(Ev1SecureMessaging? messaging) : ISamSession
    {
        private Ev1SecureMessaging? _messaging = messaging;

        public Task<byte[]> ProtectCommandAsync(byte ins, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> data, SecureMessagingMode mode, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sm = Current();
            return Task.FromResult(sm.ProtectCommand(ins, header.Span, data.Span, mode));
        }

        public Task<byte[]> UnprotectResponseAsync(ReadOnlyMemory<byte> response, byte status, SecureMessagingMode mode, int? expectedLength, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sm = Current();
            if (status != 0x00)
            {
                // The card dropped its authentication: so does the session.
                Dispose();
                throw new SamException(SamError.InvalidState, $"The card answered status 0x{status:X2}: the authentication is over.");
            }

            try
            {
                return Task.FromResult(sm.UnprotectResponse(response.Span, status, mode, expectedLength));
            }
            catch (CryptographicException ex)
            {
                Dispose();
                throw new SamException(SamError.IntegrityError, ex.Message, ex);
            }
        }

        public void Dispose()
        {
            _messaging?.Dispose();
            _messaging = null;
        }

        private Ev1SecureMessaging Current() =>
            _messaging ?? throw new SamException(SamError.InvalidState, "No secure messaging: the session is over or its technology has none.");
    }
}
