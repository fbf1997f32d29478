namespace Middleware.Tickets.Journal;

/// <summary>Configuration section <c>Journal</c>: the append-only, hash-chained and signed sales journal.</summary>
public sealed class JournalOptions
{
    public const string SectionName = "Journal";

    /// <summary>The Ed25519 signing key (32 bytes, hex), created 0600 at first start and kept with the host's secrets.
    /// Default <c>data/journal.key</c>. Losing it does not lose the journal: a new key is recorded and signs what follows.</summary>
    public string SigningKeyFile { get; set; } = "data/journal.key";

    /// <summary>The last entry's number and hash, signed, rewritten after each append: a journal shorter than this head
    /// was truncated. Default: the outbox store's path + <c>.head</c> (<c>data/tickets.db.head</c>), so that a head
    /// always goes with its own store.</summary>
    public string? HeadFile { get; set; }

    /// <summary>Where the monthly and yearly closings write their signed archive. Nothing is ever deleted from it: keep
    /// it (and its copies) at least 6 years. Default <c>data/archives</c>.</summary>
    public string ArchiveDirectory { get; set; } = "data/archives";

    /// <summary>Verify the whole chain (hashes, each signature, the head, the outbox against the journal) at start and log
    /// what is wrong. Default true.</summary>
    public bool VerifyAtStart { get; set; } = true;
}
