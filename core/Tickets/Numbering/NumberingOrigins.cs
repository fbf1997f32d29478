using System.Globalization;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Tickets.Numbering;

/// <summary>What VEM says it already holds for a point of sale (the [designed] <c>dernierTicket</c> of <c>caisse</c>).</summary>
/// <param name="Supported">False when VEM's answer has no <c>dernierTicket</c> at all: it cannot tell.</param>
/// <param name="LastId">The highest <c>idTicketEntete</c> VEM holds for the point of sale; null when it holds none.</param>
/// <param name="LastNumero">That ticket's <c>numeroTicket</c>.</param>
public sealed record VemLastTicket(bool Supported, long? LastId, string? LastNumero)
{
    /// <summary>VEM cannot tell (or no VEM is wired: tests, tools).</summary>
    public static VemLastTicket Unsupported { get; } = new(false, null, null);
}

/// <summary>Asks VEM for the last ticket it holds of a point of sale. Throws on a transport failure (transient).</summary>
public interface INumberingOriginSource
{
    Task<VemLastTicket> GetLastTicketAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken);
}

/// <summary>Where a point of sale's numbering starts, and why; or why it cannot start.</summary>
/// <param name="State">The state the first ticket is numbered after.</param>
/// <param name="Source">What decided it, for the log.</param>
/// <param name="Error">Set when the numbering must not start: the operator has to declare a floor.</param>
public sealed record NumberingOrigin(NumberingState State, string Source, string? Error);

/// <summary>
/// Decides where the numbering of a point of sale resumes when the local store has none for it (a new till, or a lost
/// or replaced <c>tickets.db</c>): above the higher of VEM's last ticket and the configured floor
/// (<see cref="TicketsOptions.NumberingFloors"/>), so that no <c>idTicketEntete</c> restarts at 1 and no
/// <c>numeroTicket</c> of the day is reused. When VEM cannot tell and no floor is configured,
/// <see cref="TicketsOptions.UnknownNumberingOrigin"/> decides: refuse (default) or start at 1.
/// </summary>
internal static class NumberingOrigins
{
    public static NumberingOrigin Resolve(PointOfSaleId pos, TicketsOptions options, VemLastTicket vem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vem);
        var floor = options.NumberingFloors.TryGetValue(pos.ToString(), out var f) ? f : null;
        var candidates = new List<(NumberingState State, string Source)>();
        if (floor is not null)
        {
            candidates.Add((FromLast(floor.LastIdTicketEntete, floor.LastNumeroTicket), $"the configured floor Tickets:NumberingFloors:{pos}"));
        }

        if (vem.Supported)
        {
            candidates.Add((vem.LastId is { } id ? FromLast(id, vem.LastNumero) : NumberingState.Initial,
                vem.LastId is null ? "VEM holds no ticket of it" : $"VEM's last ticket {vem.LastId} ({vem.LastNumero})"));
        }

        if (candidates.Count == 0)
        {
            return options.UnknownNumberingOrigin == UnknownNumberingOrigin.StartAtOne
                ? new NumberingOrigin(NumberingState.Initial, "Tickets:UnknownNumberingOrigin=StartAtOne", null)
                : new NumberingOrigin(NumberingState.Initial, "none",
                    $"This host has no ticket numbers for point of sale {pos} and VEM does not tell its last ticket: declare where its numbering resumes " +
                    $"(Tickets:NumberingFloors:{pos}:LastIdTicketEntete and :LastNumeroTicket, from VEM or the till's last receipt; 0 for a new till), then replay its unticketed sales.");
        }

        var lastId = candidates.Max(c => c.State.LastId);
        var latestDay = candidates.OrderByDescending(c => c.State.Day, StringComparer.Ordinal).ThenByDescending(c => c.State.DaySequence).First();
        var source = string.Join(" and ", candidates.Select(c => c.Source));
        return new NumberingOrigin(new NumberingState(lastId, latestDay.State.Day, latestDay.State.DaySequence), source, null);
    }

    /// <summary>The state after a ticket numbered <paramref name="lastId"/> / <paramref name="lastNumero"/>
    /// (<c>YYMMDD</c> + sequence; a number of another shape tells no day).</summary>
    internal static NumberingState FromLast(long lastId, string? lastNumero)
    {
        if (lastNumero is { Length: > 6 } n && n.All(char.IsAsciiDigit)
            && int.TryParse(n.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return new NumberingState(Math.Max(0, lastId), n[..6], seq);
        }

        return new NumberingState(Math.Max(0, lastId), "", 0);
    }
}

/// <summary>See <see cref="TicketsOptions.UnknownNumberingOrigin"/>.</summary>
public enum UnknownNumberingOrigin
{
    /// <summary>Refuse the point of sale's tickets until a floor is configured (error 1502).</summary>
    Refuse,

    /// <summary>Start at 1 (a brand-new till on a VEM that cannot tell; tests).</summary>
    StartAtOne,
}
