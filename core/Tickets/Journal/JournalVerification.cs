using System.Text.Json.Serialization;

namespace Middleware.Tickets.Journal;

/// <summary>One thing wrong with the journal.</summary>
/// <param name="Kind">See <see cref="JournalProblemKinds"/>.</param>
/// <param name="Seq">The entry concerned, when there is one.</param>
/// <param name="Detail">What was found, in words.</param>
public sealed record JournalProblem(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("seq")] long? Seq,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary>What a verification found.</summary>
public sealed record JournalVerification
{
    /// <summary>True when nothing is wrong.</summary>
    [JsonPropertyName("intact")] public bool Intact => Problems.Count == 0;

    [JsonPropertyName("entries")] public required long Entries { get; init; }
    [JsonPropertyName("lastSeq")] public required long LastSeq { get; init; }
    [JsonPropertyName("lastHash")] public required string LastHash { get; init; }

    /// <summary>The keys that signed the entries, oldest first (more than one: the key file was replaced).</summary>
    [JsonPropertyName("keyIds")] public required IReadOnlyList<string> KeyIds { get; init; }

    [JsonPropertyName("problems")] public required IReadOnlyList<JournalProblem> Problems { get; init; }

    /// <summary>Problems found beyond the first <see cref="JournalChainCheck.MaxProblems"/> listed.</summary>
    [JsonPropertyName("moreProblems")] public long MoreProblems { get; init; }

    [JsonPropertyName("verifiedAt")] public required DateTimeOffset VerifiedAt { get; init; }
}

/// <summary>The kinds of <see cref="JournalProblem"/>.</summary>
public static class JournalProblemKinds
{
    /// <summary>An entry's fields do not give its hash: it was changed after it was written.</summary>
    public const string Edited = "edited";

    /// <summary>Entries are missing between two others.</summary>
    public const string Deleted = "deleted";

    /// <summary>Entries are missing at the end: the journal is shorter than its head file says.</summary>
    public const string Truncated = "truncated";

    /// <summary>An entry does not name the hash of the entry before it (rows swapped or replaced).</summary>
    public const string ChainBroken = "chainBroken";

    /// <summary>An entry's number repeats or goes back.</summary>
    public const string Reordered = "reordered";

    /// <summary>A hash not signed by the key it names (rewritten without the key).</summary>
    public const string BadSignature = "badSignature";

    /// <summary>An entry signed by a key the journal never recorded.</summary>
    public const string UnknownKey = "unknownKey";

    /// <summary>The journal is signed by a new key from some entry on that the previous key did not endorse (the key file
    /// was lost or replaced, or someone re-signed the journal), or not by this host's own key.</summary>
    public const string KeyChanged = "keyChanged";

    /// <summary>The head file is missing while the journal has entries, unreadable, or not signed by a journal key.</summary>
    public const string HeadInvalid = "headInvalid";

    /// <summary>A ticket of the outbox differs from the body the journal recorded for it.</summary>
    public const string TicketEdited = "ticketEdited";

    /// <summary>The journal records a ticket the outbox no longer has.</summary>
    public const string TicketDeleted = "ticketDeleted";

    /// <summary>The outbox has a ticket the journal never recorded.</summary>
    public const string TicketNotJournaled = "ticketNotJournaled";
}
