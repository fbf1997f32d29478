using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Middleware.Sandbox.Faults;

/// <summary>
/// One fault to inject into the API routes (never into <c>/_sandbox</c>). Effects combine in this order:
/// latency, then a hang, an error answer, or the answer dropped after the change was committed.
/// </summary>
public sealed record FaultRule
{
    /// <summary>Path pattern with <c>*</c> wildcards (e.g. <c>/api/payments/*</c>); null = every API route.</summary>
    [JsonPropertyName("path")] public string? PathPattern { get; init; }

    /// <summary>HTTP method (GET, POST...); null = any.</summary>
    [JsonPropertyName("method")] public string? Method { get; init; }

    /// <summary>Extra delay before the request is handled, in milliseconds (real time: it simulates the network).</summary>
    [JsonPropertyName("latencyMs")] public int LatencyMs { get; init; }

    /// <summary>Probability (0..1) of answering <see cref="ErrorStatus"/> without handling the request.</summary>
    [JsonPropertyName("errorRate")] public double ErrorRate { get; init; }

    /// <summary>Status of an injected error. Default 503.</summary>
    [JsonPropertyName("errorStatus")] public int ErrorStatus { get; init; } = 503;

    /// <summary>Never answer: the request hangs until the client gives up (a timeout) or the sandbox stops.</summary>
    [JsonPropertyName("hang")] public bool Hang { get; init; }

    /// <summary>Handle the request (the change is committed), then abort the connection instead of answering.</summary>
    [JsonPropertyName("dropAfterCommit")] public bool DropAfterCommit { get; init; }

    /// <summary>Handle the request (the change is committed), then answer <see cref="ErrorStatus"/> instead of its
    /// answer: a proxy or gateway failing on the way back, the case where only a status query can tell what happened.</summary>
    [JsonPropertyName("errorAfterCommit")] public bool ErrorAfterCommit { get; init; }

    /// <summary>Number of matching requests the rule applies to before it removes itself; null = until removed.</summary>
    [JsonPropertyName("times")] public int? Times { get; init; }

    /// <summary>[chaos] A late IzlyPay confirmation: the customer's confirmation (<c>/izlypay/pay/*/confirm</c>) is taken
    /// but reaches Izly this many milliseconds later (sandbox clock): the web payment stays waiting until then, and is then
    /// completed, money taken, whatever the merchant did meanwhile. Set it longer than the host's give-up
    /// (<c>Sales:WebPaymentTimeout</c>).</summary>
    [JsonPropertyName("lateConfirmationMs")] public int? LateConfirmationMs { get; init; }

    /// <summary>[chaos] VEM refuses (422, <c>-70</c>) a new ticket paid by Izly whose payment Izly took: the sale is paid,
    /// its ticket goes Dead at the host.</summary>
    [JsonPropertyName("refuseTicketAfterDebit")] public bool RefuseTicketAfterDebit { get; init; }

    /// <summary>Chance (0..1) that a request the two faults above could hit is hit. Default 1. A request not hit does
    /// not count against <see cref="Times"/>.</summary>
    [JsonPropertyName("probability")] public double Probability { get; init; } = 1;

    /// <summary>The two faults played by the handlers (not the middleware): they hit only requests that can be hit.</summary>
    internal bool IsHandlerFault => LateConfirmationMs is not null || RefuseTicketAfterDebit;
}

/// <summary>One case a handler fault injected, for a test or a chaos run to find it again in the records.</summary>
/// <param name="Kind"><see cref="InjectedFault.LateIzlyPayConfirmation"/> or <see cref="InjectedFault.TicketRefusedAfterDebit"/>.</param>
/// <param name="RuleId">The rule that injected it.</param>
/// <param name="AppId">The point of sale.</param>
/// <param name="ClientOrderId">The payment's clientOrderId (the web payment's, or the debit's).</param>
/// <param name="IdTransactionIzly">The Izly id the ticket carries (IzlyPay: the web operation id).</param>
/// <param name="IdTicketEntete">The refused ticket's id (ticket refusals only).</param>
/// <param name="NumeroTicket">The refused ticket's number (ticket refusals only).</param>
/// <param name="At">When it was injected (sandbox clock).</param>
/// <param name="DueAt">When the late confirmation completes the payment (late confirmations only).</param>
public sealed record InjectedFault(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("ruleId")] string RuleId,
    [property: JsonPropertyName("appId")] string AppId,
    [property: JsonPropertyName("clientOrderId")] string ClientOrderId,
    [property: JsonPropertyName("idTransactionIzly")] string IdTransactionIzly,
    [property: JsonPropertyName("idTicketEntete")] string? IdTicketEntete,
    [property: JsonPropertyName("numeroTicket")] string? NumeroTicket,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("dueAt")] DateTimeOffset? DueAt)
{
    public const string LateIzlyPayConfirmation = "lateIzlyPayConfirmation";
    public const string TicketRefusedAfterDebit = "ticketRefusedAfterDebit";
}

/// <summary>A rule in force, with its id and how many requests it has hit.</summary>
public sealed record ActiveFault(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("rule")] FaultRule Rule,
    [property: JsonPropertyName("hits")] int Hits);

/// <summary>What the fault middleware does to one request.</summary>
internal sealed record FaultDecision(int LatencyMs, bool Hang, int? ErrorStatus, bool DropAfterCommit, int? ErrorAfterCommit = null)
{
    public static FaultDecision None { get; } = new(0, false, null, false);
}

/// <summary>Fault injection switchable at run time (C# API here, HTTP under <c>/_sandbox/faults</c>).</summary>
public sealed class SandboxFaults
{
    /// <summary>The injected cases kept (the oldest are dropped past it): a long run must not grow without bound.</summary>
    public const int MaxInjectedKept = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _rules = new();
    private readonly ConcurrentQueue<InjectedFault> _injected = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<CancellationToken, Task> _expireTokens;
    private long _nextId;

    internal SandboxFaults(Func<CancellationToken, Task> expireTokens) => _expireTokens = expireTokens;

    /// <summary>Adds a rule; returns its id.</summary>
    public string Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.ErrorRate is < 0 or > 1 || rule.LatencyMs < 0 || rule.Times is <= 0 || rule.ErrorStatus is < 400 or > 599)
        {
            throw new ArgumentException("errorRate is 0..1, latencyMs >= 0, times > 0, errorStatus 400..599.", nameof(rule));
        }

        if (rule.Probability is < 0 or > 1 || double.IsNaN(rule.Probability) || rule.LateConfirmationMs is <= 0 or > 86_400_000)
        {
            throw new ArgumentException("probability is 0..1, lateConfirmationMs 1..86400000 (a day).", nameof(rule));
        }

        if (rule.IsHandlerFault && (rule.LateConfirmationMs is not null && rule.RefuseTicketAfterDebit
            || rule.LatencyMs > 0 || rule.ErrorRate > 0 || rule.Hang || rule.DropAfterCommit || rule.ErrorAfterCommit))
        {
            throw new ArgumentException("lateConfirmationMs and refuseTicketAfterDebit each make a rule of their own, without latency, errors, hangs or drops.", nameof(rule));
        }

        var id = $"f{Interlocked.Increment(ref _nextId)}";
        _rules[id] = new Entry(rule, Glob(rule.PathPattern));
        return id;
    }

    /// <summary>Removes one rule.</summary>
    public bool Remove(string id) => _rules.TryRemove(id, out _);

    /// <summary>Removes every rule.</summary>
    public void Clear() => _rules.Clear();

    /// <summary>The rules in force.</summary>
    public IReadOnlyList<ActiveFault> Active =>
        [.. _rules.OrderBy(r => r.Key.Length).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => new ActiveFault(r.Key, r.Value.Rule, r.Value.Hits))];

    /// <summary>Adds latency to matching requests.</summary>
    public string AddLatency(TimeSpan latency, string? pathPattern = null, int? times = null) =>
        Add(new FaultRule { PathPattern = pathPattern, LatencyMs = (int)latency.TotalMilliseconds, Times = times });

    /// <summary>The next <paramref name="count"/> matching requests answer <paramref name="status"/>.</summary>
    public string FailNext(int count, string? pathPattern = null, int status = 503, string? method = null) =>
        Add(new FaultRule { PathPattern = pathPattern, Method = method, ErrorRate = 1, ErrorStatus = status, Times = count });

    /// <summary>A fraction of matching requests answer <paramref name="status"/> until removed.</summary>
    public string FailRate(double rate, string? pathPattern = null, int status = 503) =>
        Add(new FaultRule { PathPattern = pathPattern, ErrorRate = rate, ErrorStatus = status });

    /// <summary>The next <paramref name="count"/> matching requests hang (the client times out).</summary>
    public string HangNext(int count, string? pathPattern = null, string? method = null) =>
        Add(new FaultRule { PathPattern = pathPattern, Method = method, Hang = true, Times = count });

    /// <summary>The next <paramref name="count"/> matching requests are handled and committed, then their connection is aborted.</summary>
    public string DropAfterCommitNext(int count, string? pathPattern = null, string? method = null) =>
        Add(new FaultRule { PathPattern = pathPattern, Method = method, DropAfterCommit = true, Times = count });

    /// <summary>The next <paramref name="count"/> matching requests are handled and committed, then answered <paramref name="status"/>.</summary>
    public string FailAfterCommitNext(int count, string? pathPattern = null, int status = 502, string? method = null) =>
        Add(new FaultRule { PathPattern = pathPattern, Method = method, ErrorAfterCommit = true, ErrorStatus = status, Times = count });

    /// <summary>The next <paramref name="count"/> IzlyPay confirmations (each with <paramref name="probability"/>) reach Izly
    /// <paramref name="delay"/> late: the payment completes then, after the merchant may have given up.</summary>
    public string LateIzlyPayConfirmations(TimeSpan delay, int? count = null, double probability = 1) =>
        Add(new FaultRule { LateConfirmationMs = (int)delay.TotalMilliseconds, Times = count, Probability = probability });

    /// <summary>VEM refuses (422) the next <paramref name="count"/> new Izly-paid tickets whose payment was taken (each with
    /// <paramref name="probability"/>).</summary>
    public string RefuseTicketsAfterDebit(int? count = null, double probability = 1) =>
        Add(new FaultRule { RefuseTicketAfterDebit = true, Times = count, Probability = probability });

    /// <summary>Every case the handler faults injected, oldest first (at most <see cref="MaxInjectedKept"/>); kept when
    /// the rules are removed.</summary>
    public IReadOnlyList<InjectedFault> Injected => [.. _injected];

    /// <summary>Forgets the injected cases.</summary>
    public void ClearInjected() => _injected.Clear();

    /// <summary>Cancelled when the sandbox stops: what a fault left to do later (a late confirmation) is dropped.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    internal void Record(InjectedFault injected)
    {
        _injected.Enqueue(injected);
        while (_injected.Count > MaxInjectedKept && _injected.TryDequeue(out _))
        {
        }
    }

    internal void Stop() => _stopping.Cancel();

    /// <summary>Whether a rule of that kind is in force (a cheap test before a handler looks at its records).</summary>
    internal bool HasHandlerFault(Func<FaultRule, bool> kind) => !_rules.IsEmpty && _rules.Values.Any(e => e.Rule.IsHandlerFault && kind(e.Rule));

    /// <summary>IzlyPay operations whose confirmation a late-confirmation fault holds: a second confirmation must wait too.</summary>
    internal ConcurrentDictionary<long, DateTimeOffset> HeldConfirmations { get; } = new();

    /// <summary>
    /// For a handler that could play a handler fault on this request: the first matching rule of that kind that hits
    /// (its probability drawn, its count consumed), with its id; null when none does.
    /// </summary>
    internal (string Id, FaultRule Rule)? TryHit(Func<FaultRule, bool> kind, string method, string path)
    {
        foreach (var (id, entry) in _rules)
        {
            if (!entry.Rule.IsHandlerFault || !kind(entry.Rule)
                || (entry.Rule.Method is { } m && !string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                || (entry.Pattern is { } p && !p.IsMatch(path))
                || (entry.Rule.Probability < 1 && Random.Shared.NextDouble() >= entry.Rule.Probability))
            {
                continue;
            }

            if (!entry.TryConsume())
            {
                _rules.TryRemove(id, out _);
                continue;
            }

            if (entry.Exhausted)
            {
                _rules.TryRemove(id, out _);
            }

            return (id, entry.Rule);
        }

        return null;
    }

    /// <summary>Every token issued so far (both VEM schemes) is expired from now on; the next calls get 401.</summary>
    public Task ExpireTokensNowAsync(CancellationToken ct = default) => _expireTokens(ct);

    internal FaultDecision Decide(string method, string path)
    {
        if (_rules.IsEmpty)
        {
            return FaultDecision.None;
        }

        var latency = 0;
        var hang = false;
        var drop = false;
        int? error = null;
        int? errorAfterCommit = null;
        foreach (var (id, entry) in _rules)
        {
            if (entry.Rule.IsHandlerFault
                || (entry.Rule.Method is { } m && !string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                || (entry.Pattern is { } p && !p.IsMatch(path)))
            {
                continue;
            }

            if (!entry.TryConsume())
            {
                _rules.TryRemove(id, out _);
                continue;
            }

            if (entry.Exhausted)
            {
                _rules.TryRemove(id, out _);
            }

            latency += entry.Rule.LatencyMs;
            hang |= entry.Rule.Hang;
            drop |= entry.Rule.DropAfterCommit;
            if (entry.Rule.ErrorAfterCommit)
            {
                errorAfterCommit ??= entry.Rule.ErrorStatus;
            }

            if (entry.Rule.ErrorRate > 0 && error is null && (entry.Rule.ErrorRate >= 1 || Random.Shared.NextDouble() < entry.Rule.ErrorRate))
            {
                error = entry.Rule.ErrorStatus;
            }
        }

        return latency == 0 && !hang && !drop && error is null && errorAfterCommit is null
            ? FaultDecision.None
            : new FaultDecision(latency, hang, error, drop, errorAfterCommit);
    }

    private static Regex? Glob(string? pattern) =>
        pattern is null ? null : new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private sealed class Entry(FaultRule rule, Regex? pattern)
    {
        private int _hits;

        public FaultRule Rule { get; } = rule;
        public Regex? Pattern { get; } = pattern;
        public int Hits => Volatile.Read(ref _hits);
        public bool Exhausted => Rule.Times is { } t && Volatile.Read(ref _hits) >= t;

        public bool TryConsume()
        {
            var hits = Interlocked.Increment(ref _hits);
            return Rule.Times is not { } t || hits <= t;
        }
    }
}
