namespace Middleware.Tickets;

/// <summary>Configuration section <c>Tickets</c>: the ticket outbox and its sender.</summary>
public sealed class TicketsOptions
{
    public const string SectionName = "Tickets";

    /// <summary>SQLite file of the outbox (tickets, numbering, Whiz queue). Default <c>data/tickets.db</c>.</summary>
    public string DatabasePath { get; set; } = "data/tickets.db";

    /// <summary><c>versionLogiciel</c> of every ticket. Default: this assembly's version.</summary>
    public string VersionLogiciel { get; set; } = typeof(TicketsOptions).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    /// <summary><c>idLogiciel</c> sent in <c>complementaire</c> when VEM's <c>caisse</c> resource does not give one (VEM's
    /// value wins). Default none.</summary>
    public int? IdLogiciel { get; set; }

    /// <summary>Tickets uploaded per point of sale in one pass, in order. Default 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Most commits grouped into one durable SQLite transaction when tills commit at the same time. Default 64.</summary>
    public int MaxCommitGroup { get; set; } = 64;

    /// <summary>First wait after a transient upload failure; doubles on each further failure. Default 2 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait between two attempts at a point of sale whose head ticket fails. Default 5 min.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Random spread of each backoff, as a fraction (0.2 = ±20 %) so hosts do not retry in step. Default 0.2.</summary>
    public double BackoffJitter { get; set; } = 0.2;

    /// <summary>How often the sender looks for work when nothing wakes it. Default 5 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whiz order attempts before the order is parked as failed (the sale is unaffected). Default 10.</summary>
    public int WhizMaxAttempts { get; set; } = 10;

    /// <summary>Point-of-sale time zones by id (<c>5-1-9-8-14</c> → IANA zone). Filled from <c>PointsOfSale</c>;
    /// a point of sale not listed uses <see cref="DefaultTimeZone"/>.</summary>
    public Dictionary<string, string> TimeZones { get; set; } = [];

    /// <summary>Time zone of points of sale with none configured. Default Europe/Paris.</summary>
    public string DefaultTimeZone { get; set; } = "Europe/Paris";

    /// <summary>Per point of sale (<c>5-1-9-8-14</c>), the last numbers it already used before this store numbered its
    /// tickets: the numbering of a point of sale this store has never numbered resumes above the higher of this floor and
    /// VEM's last ticket. Default: none.</summary>
    public Dictionary<string, NumberingFloor> NumberingFloors { get; set; } = [];

    /// <summary>What a point of sale this store has never numbered does when VEM cannot tell its last ticket and no floor
    /// is configured. Default <see cref="Numbering.UnknownNumberingOrigin.Refuse"/>: its tickets are refused with error
    /// 1502 until a floor is declared (its paid sales wait as PaidNoTicket, replayable).</summary>
    public Numbering.UnknownNumberingOrigin UnknownNumberingOrigin { get; set; } = Numbering.UnknownNumberingOrigin.Refuse;
}

/// <summary>The last numbers a point of sale already used (from VEM or its last printed receipt).</summary>
public sealed class NumberingFloor
{
    /// <summary>The last <c>idTicketEntete</c> used; numbering resumes at the next one.</summary>
    public long LastIdTicketEntete { get; set; }

    /// <summary>The last <c>numeroTicket</c> used (<c>YYMMDD</c> + sequence), so that a resume on the same day continues
    /// its sequence. Optional.</summary>
    public string? LastNumeroTicket { get; set; }
}
