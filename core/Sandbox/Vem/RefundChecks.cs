using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Middleware.Domain.Tickets;

namespace Middleware.Sandbox.Vem;

/// <summary>
/// [designed] The checks of a refund ticket (<c>RB</c>) that need the tickets already held (crous-izly-api.md §4): the
/// ticket it names is a sale of the same point of sale, and the refunds of that sale never give back more than it took.
/// Run in the upload's write transaction, so two refunds of one sale arriving together cannot both pass.
/// </summary>
internal static class RefundChecks
{
    /// <summary>The refunded ticket is not a sale (<c>VT</c>) this point of sale sent with that idTicketEntete and numeroTicket.</summary>
    public const string OriginUnknown = "REFUND_ORIGIN_UNKNOWN";

    /// <summary>This refund and the earlier ones of the same sale give back more than the sale's montant.</summary>
    public const string ExceedsOrigin = "REFUND_EXCEEDS_ORIGIN";

    /// <summary>The broken rule and its message, or null when the refund may be stored.</summary>
    public static TicketViolation? Check(SqliteConnection c, SqliteTransaction tx, string appId, VemTicket refund)
    {
        var originId = refund.Complementaire?.IdTicketEnteteOrigine;
        var originNumero = refund.Complementaire?.NumeroTicketOrigine;
        var originBody = c.ExecuteScalar<string?>(
            "SELECT body FROM tickets WHERE app_id=@appId AND id_ticket_entete=@originId AND numero_ticket=@originNumero",
            new { appId, originId, originNumero }, tx);
        var origin = originBody is null ? null : JsonSerializer.Deserialize<VemTicket>(originBody, VemJson.Options);
        if (origin is null || origin.CodeEvenement != CodeEvenements.Sale)
        {
            return new TicketViolation(OriginUnknown, null,
                $"The refunded ticket {originId}/{originNumero} is not a sale ticket of point of sale {appId}.");
        }

        var sold = Montant(origin);
        // Refunds already held for this sale (the repeat of this very ticket is answered before these checks).
        var earlier = c.Query<string>(
            "SELECT body FROM tickets WHERE app_id=@appId AND json_extract(body, '$.codeEvenement') = 'RB' AND json_extract(body, '$.complementaire.idTicketEnteteOrigine') = @originId",
            new { appId, originId }, tx)
            .Sum(body => -Montant(JsonSerializer.Deserialize<VemTicket>(body, VemJson.Options)!));
        var asked = -Montant(refund);
        if (earlier + asked > sold)
        {
            return new TicketViolation(ExceedsOrigin, null,
                $"Refunds of ticket {originId} would give back {Fmt(earlier + asked)} (already {Fmt(earlier)}) where it took {Fmt(sold)}.");
        }

        return null;
    }

    private static decimal Montant(VemTicket ticket) => (ticket.ListeReglements ?? []).Sum(p => p?.Montant ?? 0m);

    private static string Fmt(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
