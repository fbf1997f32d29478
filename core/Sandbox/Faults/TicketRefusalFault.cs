using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Middleware.Domain.Tickets;

namespace Middleware.Sandbox.Faults;

/// <summary>
/// The chaos fault "a ticket refused after the debit" (<see cref="FaultRule.RefuseTicketAfterDebit"/>): VEM answers 422 to
/// a new ticket paid by Izly whose payment Izly took (a completed debit or web payment of this point of sale), so the sale
/// is paid and its ticket goes Dead. A repeat of a stored ticket, a CB ticket or a refund's ticket is never hit.
/// </summary>
internal static class TicketRefusalFault
{
    public static IResult? TryRefuse(SandboxState s, string appId, VemTicket ticket, string path, ILogger log)
    {
        if (!s.Faults.HasHandlerFault(r => r.RefuseTicketAfterDebit)
            || ticket.ListeReglements is not [{ CodeReglement: CodeReglement.Izly, IdTransactionIzly: { Length: > 0 } idTransactionIzly }]
            || !long.TryParse(idTransactionIzly, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }

        string? clientOrderId;
        using (var c = s.Db.Read())
        {
            if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM tickets WHERE app_id=@appId AND id_ticket_entete=@IdTicketEntete", new { appId, ticket.IdTicketEntete }) > 0)
            {
                return null;
            }

            clientOrderId = c.QueryFirstOrDefault<string?>(
                "SELECT client_order_id FROM transactions WHERE id=@id AND app_id=@appId AND status=1 AND means <> 'izlypay'", new { id, appId })
                ?? c.QueryFirstOrDefault<string?>("SELECT client_order_id FROM web_payments WHERE operation_id=@id AND app_id=@appId AND status=1", new { id, appId });
        }

        if (clientOrderId is null || s.Faults.TryHit(r => r.RefuseTicketAfterDebit, HttpMethods.Post, path) is not { } hit)
        {
            return null;
        }

        s.Faults.Record(new InjectedFault(InjectedFault.TicketRefusedAfterDebit, hit.Id, appId, clientOrderId, idTransactionIzly,
            ticket.IdTicketEntete, ticket.NumeroTicket, s.Time.GetUtcNow(), null));
        log.LogInformation("Fault {RuleId}: ticket {IdTicketEntete} of {AppId} refused after its Izly payment {IdTransactionIzly} was taken", hit.Id, ticket.IdTicketEntete, appId, idTransactionIzly);
        return Errors.Unprocessable(SandboxErrorCodes.InjectedFault,
            $"Ticket refusé (panne injectée par le bac à sable) : le paiement Izly {idTransactionIzly} est encaissé, le ticket {ticket.IdTicketEntete} ne l'est pas.");
    }
}
