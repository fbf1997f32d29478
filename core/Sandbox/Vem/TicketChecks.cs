using System.Globalization;
using Middleware.Domain.Tickets;

namespace Middleware.Sandbox.Vem;

/// <summary>
/// The sandbox's ticket checks: the shared <see cref="VemTicketValidator"/> (every §4 coherence rule) plus the rules
/// only the server can check (numbering against the point of sale's local date, online-order flag, uniqueness).
/// </summary>
internal static class TicketChecks
{
    /// <summary>numeroTicket is <c>YYMMDD</c> (local date of the ticket) followed by the daily sequence, no padding.</summary>
    public const string NumeroTicketFormat = "HEADER_NUMERO_TICKET_FORMAT";

    /// <summary>numeroTicket is unique per point of sale.</summary>
    public const string NumeroTicketUnique = "HEADER_NUMERO_TICKET_UNIQUE";

    /// <summary>An IzlyPay sale (Izly payment with neither idSupport nor qrCode) is uploaded with versCommandeEnLigne=1.</summary>
    public const string OnlineOrderFlag = "ONLINE_ORDER_FLAG";

    public static IReadOnlyList<TicketViolation> Validate(VemTicket ticket, bool online, SandboxState s)
    {
        var result = VemTicketValidator.Validate(ticket, s.Seed);
        var violations = new List<TicketViolation>(result.Violations);

        if (!string.IsNullOrWhiteSpace(ticket.NumeroTicket) && ticket.Date != default)
        {
            var prefix = s.ToLocal(ticket.Date).ToString("yyMMdd", CultureInfo.InvariantCulture);
            var n = ticket.NumeroTicket;
            if (n.Length <= 6 || !n.StartsWith(prefix, StringComparison.Ordinal) || !n.All(char.IsAsciiDigit) || n[6] == '0')
            {
                violations.Add(new TicketViolation(NumeroTicketFormat, null,
                    $"numeroTicket {n} is not {prefix} (local date of the ticket) followed by the daily sequence without padding."));
            }
        }

        var payments = ticket.ListeReglements ?? [];
        if (payments.Count == 1 && payments[0] is { CodeReglement: CodeReglement.Izly } p
            && string.IsNullOrWhiteSpace(p.IdSupport) && string.IsNullOrWhiteSpace(p.QrCode) && !online)
        {
            violations.Add(new TicketViolation(OnlineOrderFlag, null, "An IzlyPay sale (no idSupport, no qrCode) is uploaded with versCommandeEnLigne=1."));
        }

        return violations;
    }
}
