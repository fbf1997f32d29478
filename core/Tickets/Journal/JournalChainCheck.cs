using System.Text.Json;

namespace Middleware.Tickets.Journal;

/// <summary>
/// Checks a run of entries, in order: numbering, chaining, hashes and signatures. Fed by the store's verifier and by
/// the offline archive check alike. Memory is bounded: only the keys and the first <see cref="MaxProblems"/> problems
/// are kept.
/// </summary>
public sealed class JournalChainCheck
{
    public const int MaxProblems = 200;

    private readonly Dictionary<string, byte[]> keys;
    private readonly List<string> keyOrder = [];
    private readonly List<JournalProblem> problems = [];
    private readonly bool signatures;
    private long expectedSeq;
    private string expectedPrev;
    private long more;
    private readonly Dictionary<long, string> anchored = [];
    private readonly Dictionary<long, string> seenAtAnchor = [];

    /// <param name="firstSeq">The number the first entry must have (1 for a whole journal).</param>
    /// <param name="previousHash">The hash before the first entry (zeros for a whole journal).</param>
    /// <param name="knownKeys">Public keys by id known before the first entry (an archive's).</param>
    /// <param name="signatures">Check each entry's signature (Ed25519: the slow part).</param>
    public JournalChainCheck(long firstSeq = 1, string? previousHash = null, IReadOnlyDictionary<string, byte[]>? knownKeys = null, bool signatures = true)
    {
        expectedSeq = firstSeq;
        expectedPrev = previousHash ?? JournalHash.Genesis;
        keys = knownKeys?.ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal) ?? new(StringComparer.Ordinal);
        keyOrder.AddRange(keys.Keys);
        this.signatures = signatures;
    }

    public long Entries { get; private set; }

    public long LastSeq => expectedSeq - 1;

    public string LastHash => expectedPrev;

    /// <summary>The key that signed the last entry seen.</summary>
    public string? LastKeyId { get; private set; }

    public IReadOnlyDictionary<string, byte[]> Keys => keys;

    /// <summary>Heads read before the entries (the head file, and heads kept as evidence): the entry at each one's number
    /// must have its hash, else the journal was cut there and written again.</summary>
    public void Anchor(IEnumerable<SignedJournalHead> heads)
    {
        foreach (var head in heads)
        {
            anchored[head.Seq] = head.Hash;
        }
    }

    public void Add(JournalEntry entry)
    {
        Entries++;
        if (anchored.ContainsKey(entry.Seq))
        {
            seenAtAnchor[entry.Seq] = entry.Hash;
        }

        if (entry.Seq > expectedSeq)
        {
            Problem(JournalProblemKinds.Deleted, expectedSeq, entry.Seq == expectedSeq + 1
                ? $"entry {expectedSeq} is missing"
                : $"entries {expectedSeq} to {entry.Seq - 1} are missing");
        }
        else if (entry.Seq < expectedSeq)
        {
            Problem(JournalProblemKinds.Reordered, entry.Seq, $"entry {entry.Seq} comes after entry {expectedSeq - 1}");
        }
        else if (!string.Equals(entry.PrevHash, expectedPrev, StringComparison.Ordinal))
        {
            Problem(JournalProblemKinds.ChainBroken, entry.Seq, $"entry {entry.Seq} ({Describe(entry)}) does not follow the entry before it");
        }

        var hashOk = JournalHash.Matches(entry);
        if (!hashOk)
        {
            Problem(JournalProblemKinds.Edited, entry.Seq, $"entry {entry.Seq} ({Describe(entry)}) was changed: its content does not give its hash");
        }

        if (entry.Kind == JournalKinds.Key && hashOk)
        {
            LearnKey(entry);
        }

        if (!keys.TryGetValue(entry.KeyId, out var publicKey))
        {
            Problem(JournalProblemKinds.UnknownKey, entry.Seq, $"entry {entry.Seq} names key {entry.KeyId}, which the journal never recorded");
        }
        else if (signatures && hashOk && !SignatureValid(publicKey, entry))
        {
            Problem(JournalProblemKinds.BadSignature, entry.Seq, $"entry {entry.Seq} ({Describe(entry)}) is not signed by key {entry.KeyId}: it was rewritten without the key");
        }

        LastKeyId = entry.KeyId;
        expectedSeq = Math.Max(expectedSeq, entry.Seq + 1);
        expectedPrev = entry.Hash;
    }

    /// <summary>Checks the head file against the last entry seen.</summary>
    public void CheckHead(SignedJournalHead? head, string? headError)
    {
        if (headError is not null)
        {
            Problem(JournalProblemKinds.HeadInvalid, null, headError);
            return;
        }

        if (head is null)
        {
            if (Entries > 0)
            {
                Problem(JournalProblemKinds.HeadInvalid, null, "the head file is missing while the journal has entries (deleted?)");
            }

            return;
        }

        CheckAnchor(head, "the head file");
    }

    /// <summary>Checks one signed head (the head file, or one kept as evidence) against the entries seen.</summary>
    public void CheckAnchor(SignedJournalHead head, string what)
    {
        if (!keys.TryGetValue(head.KeyId, out var publicKey) || !SignatureValid(publicKey, head))
        {
            Problem(JournalProblemKinds.HeadInvalid, head.Seq, $"{what} is not signed by a key of the journal");
            return;
        }

        if (head.Seq > LastSeq)
        {
            Problem(JournalProblemKinds.Truncated, LastSeq + 1, head.Seq == LastSeq + 1
                ? $"the journal ends at entry {LastSeq}; entry {head.Seq} was written and is gone ({what})"
                : $"the journal ends at entry {LastSeq}; entries {LastSeq + 1} to {head.Seq} were written and are gone ({what})");
        }
        else if (head.Seq > 0 && seenAtAnchor.TryGetValue(head.Seq, out var hash) && !string.Equals(hash, head.Hash, StringComparison.Ordinal))
        {
            Problem(JournalProblemKinds.Truncated, head.Seq, $"entry {head.Seq} is not the one {what} anchored: the journal was cut and written again from there");
        }
    }

    public void Problem(string kind, long? seq, string detail)
    {
        if (problems.Count < MaxProblems)
        {
            problems.Add(new JournalProblem(kind, seq, detail));
        }
        else
        {
            more++;
        }
    }

    public JournalVerification Result(DateTimeOffset at) => new()
    {
        Entries = Entries,
        LastSeq = LastSeq,
        LastHash = LastHash,
        KeyIds = keyOrder,
        Problems = problems,
        MoreProblems = more,
        VerifiedAt = at,
    };

    private static bool SignatureValid(byte[] publicKey, JournalEntry entry)
    {
        try
        {
            return JournalSigningKey.Verify(publicKey, Convert.FromHexString(entry.Hash), Convert.FromBase64String(entry.Signature));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool SignatureValid(byte[] publicKey, SignedJournalHead head)
    {
        try
        {
            return JournalSigningKey.Verify(publicKey, JournalHash.HeadMessage(head.Head), Convert.FromBase64String(head.Signature));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private void LearnKey(JournalEntry entry)
    {
        try
        {
            using var doc = JsonDocument.Parse(entry.Body);
            var hex = doc.RootElement.GetProperty("publicKey").GetString();
            var publicKey = hex is { Length: 64 } ? Convert.FromHexString(hex) : null;
            if (publicKey is null || JournalSigningKey.IdOf(publicKey) != entry.KeyId)
            {
                Problem(JournalProblemKinds.UnknownKey, entry.Seq, $"key entry {entry.Seq} does not hold the key it names");
                return;
            }

            if (keys.TryAdd(entry.KeyId, publicKey) || !keyOrder.Contains(entry.KeyId))
            {
                if (keyOrder.Count > 0)
                {
                    // Nothing proves the new key is the host's: a lost key file and a journal re-signed by someone
                    // else look alike. Either way it is for a person to look at.
                    Problem(JournalProblemKinds.KeyChanged, entry.Seq, $"from entry {entry.Seq} the journal is signed by key {entry.KeyId} instead of {keyOrder[^1]}, which did not endorse it: the key file was replaced (lost, or someone re-signed the journal)");
                }

                keyOrder.Add(entry.KeyId);
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            Problem(JournalProblemKinds.UnknownKey, entry.Seq, $"key entry {entry.Seq} is malformed");
        }
    }

    private static string Describe(JournalEntry e) => e.PointOfSale is null ? $"{e.Kind} {e.Reference}" : $"{e.Kind} {e.PointOfSale} {e.Reference}";
}
