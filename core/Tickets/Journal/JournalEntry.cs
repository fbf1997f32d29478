using System.Text.Json.Serialization;

namespace Middleware.Tickets.Journal;

/// <summary>
/// One entry of the sales journal, as stored and as archived. <see cref="Hash"/> chains it to the entry before
/// (<see cref="JournalHash"/>); <see cref="Signature"/> is the Ed25519 signature of that hash by the key <see cref="KeyId"/>.
/// </summary>
/// <param name="Seq">1, 2, 3…: no gap, no repeat.</param>
/// <param name="At">UTC, ISO 8601.</param>
/// <param name="Kind">See <see cref="JournalKinds"/>.</param>
/// <param name="PointOfSale">The point of sale, or null for host-wide entries.</param>
/// <param name="Reference">The ticket's <c>idTicketEntete</c> or the closing's id.</param>
/// <param name="Body">The entry's content (JSON): the ticket exactly as committed, a closing, a key.</param>
/// <param name="PrevHash">The previous entry's hash, hex (64 zeros for the first).</param>
/// <param name="Hash">SHA-256, hex.</param>
/// <param name="Signature">Ed25519, base64.</param>
/// <param name="KeyId">The signing key's id.</param>
public sealed record JournalEntry(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("at")] string At,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("pointOfSale")] string? PointOfSale,
    [property: JsonPropertyName("reference")] string? Reference,
    [property: JsonPropertyName("body")] string Body,
    [property: JsonPropertyName("prevHash")] string PrevHash,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("signature")] string Signature,
    [property: JsonPropertyName("keyId")] string KeyId);

/// <summary>The kinds of journal entries.</summary>
public static class JournalKinds
{
    /// <summary>The first entry, and each later change of signing key: its body holds the public key.</summary>
    public const string Key = "key";

    /// <summary>A ticket (sale or refund) as committed to the outbox, before any upload.</summary>
    public const string Ticket = "ticket";

    /// <summary>A dead ticket rebuilt by an operator's <c>outbox.replay --remap</c>: the new body; the first stays in its own entry.</summary>
    public const string TicketRemapped = "ticket.remapped";

    /// <summary>A day, month or year closing of one point of sale or of the host.</summary>
    public const string Closing = "closing";

    /// <summary>A closing checked against Izly's operations and VEM's acceptance: what matched and what did not.</summary>
    public const string Reconciliation = "reconciliation";
}

/// <summary>The last entry: what the head file anchors.</summary>
public sealed record JournalHead(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("hash")] string Hash);
