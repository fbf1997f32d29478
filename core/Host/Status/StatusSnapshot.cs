namespace Middleware.Host.Status;

/// <summary>
/// What the operator status page, <c>GET /status.json</c> and the pipe's <c>status.get</c> show: each part gathered
/// on its own with its own time limit, so one that fails or hangs shows its error and the others still show.
/// </summary>
internal sealed record StatusSnapshot(
    HostStatus Host,
    StatusPart<PluginRow> Plugins,
    StatusPart<SeenReader> Readers,
    StatusPart<CardEventRow> CardEvents,
    StatusPart<OutboxRow> Outbox,
    StatusPart<ReferenceRow> Reference,
    StatusPart<ScriptRow> Scripts,
    StatusPart<HealthRow> Health,
    StatusPart<LogRow> RecentErrors,
    StatusPart<DayTotalsRow> DayTotals);

/// <summary>One part of the snapshot: its rows, or the error that stopped it (then no rows), and how long it took.</summary>
internal sealed record StatusPart<T>(IReadOnlyList<T> Items, string? Error, long DurationMs);

/// <summary>The host itself, with its process's runtime figures (what a load test or an operator compares over time).</summary>
/// <param name="Version">The host's informational version.</param>
/// <param name="Environment">The hosting environment (Production, Development).</param>
/// <param name="Machine">The machine's name.</param>
/// <param name="StartedAt">When the host started.</param>
/// <param name="UptimeSeconds">Seconds since the start.</param>
/// <param name="At">When this snapshot was taken.</param>
/// <param name="ProcessCpuMs">CPU time of the whole process since it started (all threads), in milliseconds.</param>
/// <param name="AllocatedBytes">Bytes allocated on the managed heap since the process started.</param>
/// <param name="GcCollections">Garbage collections since the start, generation 0 / 1 / 2, e.g. <c>120 / 8 / 1</c>.</param>
/// <param name="ManagedHeapBytes">The managed heap's size after the last collection.</param>
/// <param name="WorkingSetBytes">The process's resident memory (working set).</param>
/// <param name="Gc">The collector's mode: <c>workstation</c> or <c>server</c>, <c>concurrent</c> or not, and DATAS when on.</param>
internal sealed record HostStatus(string Version, string Environment, string Machine, DateTimeOffset StartedAt, long UptimeSeconds, DateTimeOffset At,
    double ProcessCpuMs, long AllocatedBytes, string GcCollections, long ManagedHeapBytes, long WorkingSetBytes, string Gc);

/// <summary>A plugin as <c>plugins.status</c> lists it.</summary>
internal sealed record PluginRow(string Id, string? Version, string State, string? Reason, DateTimeOffset Since);

/// <summary>A reader, terminal or serial port the host sees, or one configured that it does not see.</summary>
/// <param name="Name">As PC/SC, the terminal plugin or the system names it: what <c>PointsOfSale[].Readers</c> takes.</param>
/// <param name="Kind"><c>pcsc</c>, <c>terminal</c> or <c>serial</c> (a serial port the system has; a terminal plugin may use it).</param>
/// <param name="PluginId">The plugin that offers it (<c>pcsc</c>: the host's PC/SC watch); null for a serial port or a reader not seen.</param>
/// <param name="State"><c>Empty</c>, <c>CardPresent</c>, <c>Unavailable</c>, or <c>Present</c> for a serial port.</param>
/// <param name="PointsOfSale">The points of sale configured with it; empty when none is.</param>
/// <param name="Seen">False for a reader configured but not seen by PC/SC nor any plugin.</param>
internal sealed record SeenReader(string Name, string Kind, string? PluginId, string State, IReadOnlyList<string> PointsOfSale, bool Seen);

/// <summary>A tap or a failed read, newest first. The card number is masked (last 4 digits) as in the logs.</summary>
internal sealed record CardEventRow(DateTimeOffset At, string Kind, string Reader, string? Card, string? Technology, string? Error, string? Detail);

/// <summary>The outbox of one point of sale, as <c>outbox.status</c> computes it.</summary>
internal sealed record OutboxRow(string PointOfSale, int Pending, int Sent, int Dead, double? OldestPendingAgeSeconds, string? LastError, int PaidNoTicket);

/// <summary>The reference data of one configured point of sale, as <c>reference.status</c> computes it.</summary>
internal sealed record ReferenceRow(string PointOfSale, bool HasData, DateTimeOffset? LastSuccessUtc, double? AgeSeconds, bool IsStale, string? LastError, int ConsecutiveFailures);

/// <summary>A pricing or mapping script, as <c>scripts.status</c> lists it; errors as file:line:column: message.</summary>
internal sealed record ScriptRow(string File, string Kind, string State, IReadOnlyList<string> Errors, string? LastFault, long FaultCount);

/// <summary>One entry of the host's health report (<c>vem</c>, <c>izly</c>, ...).</summary>
internal sealed record HealthRow(string Name, string Status, string? Description, double DurationMs);

/// <summary>A log event of level Warning or above, its message rendered (the logs hold no secrets).</summary>
internal sealed record LogRow(DateTimeOffset At, string Level, string? Source, string Message, string? Exception);

/// <summary>Today's totals so far of a point of sale, or of the host (<c>host</c>), as a day closing would sum them.</summary>
internal sealed record DayTotalsRow(string Scope, string Date, int Sales, decimal SalesTtc, int Refunds, decimal RefundsTtc, decimal NetTtc, IReadOnlyList<PaymentRow> ByPayment);

/// <summary>Amount per <c>codeReglement</c> (4 CB, 9 Izly, ...), sales and refunds together.</summary>
internal sealed record PaymentRow(int CodeReglement, int Count, decimal Amount);
