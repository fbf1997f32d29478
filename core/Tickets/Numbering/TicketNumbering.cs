using System.Globalization;

namespace Middleware.Tickets.Numbering;

/// <summary>The numbering state of one point of sale: the last <c>idTicketEntete</c> and the day sequence.</summary>
/// <param name="LastId">Last <c>idTicketEntete</c> allocated (0 before the first ticket).</param>
/// <param name="Day">Local date of the last ticket, <c>YYMMDD</c> ("" before the first ticket).</param>
/// <param name="DaySequence">Tickets numbered on <paramref name="Day"/>.</param>
public readonly record struct NumberingState(long LastId, string Day, int DaySequence)
{
    public static NumberingState Initial { get; } = new(0, "", 0);
}

/// <summary>
/// Ticket numbers (crous-izly-api.md §4): <c>idTicketEntete</c> sequential per point of sale; <c>numeroTicket</c> =
/// local <c>YYMMDD</c> + daily sequence without padding (2003181, 20031810, 200318149).
/// </summary>
public static class TicketNumbering
{
    /// <summary>The local date (<c>YYMMDD</c>) of <paramref name="utcNow"/> in <paramref name="zone"/>. DST-safe: the zone's
    /// rules decide where midnight is.</summary>
    public static string LocalDay(DateTimeOffset utcNow, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return TimeZoneInfo.ConvertTime(utcNow, zone).ToString("yyMMdd", CultureInfo.InvariantCulture);
    }

    /// <summary>The next numbers after <paramref name="state"/> for a ticket committed on local day <paramref name="day"/>.
    /// A clock that steps back over midnight never reuses an earlier day's numbers: the day never goes backwards.</summary>
    public static (NumberingState State, long Id, string Numero) Next(NumberingState state, string day)
    {
        ArgumentNullException.ThrowIfNull(day);
        var sameOrEarlier = string.CompareOrdinal(day, state.Day) <= 0 && state.Day.Length > 0;
        var effectiveDay = sameOrEarlier ? state.Day : day;
        var seq = sameOrEarlier ? state.DaySequence + 1 : 1;
        var id = state.LastId + 1;
        return (new NumberingState(id, effectiveDay, seq), id, effectiveDay + seq.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The zone of an IANA (or Windows) id; throws a clear error for an unknown one.</summary>
    public static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException($"Unknown time zone '{id}' for ticket numbering.", ex);
        }
    }
}
