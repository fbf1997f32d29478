using Middleware.Api.Http;

namespace Middleware.Api.Izly;

/// <summary>The Izly client: configuration section <c>CrousApis:Izly</c>. The Izly key (<c>cleIzly</c>) is not
/// configuration: it comes from VEM's <c>caisse</c> resource and is held in memory only.</summary>
public sealed class IzlyOptions
{
    public const string Section = "CrousApis:Izly";

    /// <summary>Base URL of the Izly till API and IzlyPay (paths start with <c>/api</c>). Default the pre-production
    /// host <c>https://rest-pp.izly.fr</c>; the host points it at the sandbox by default.</summary>
    public Uri BaseUrl { get; set; } = new("https://rest-pp.izly.fr");

    /// <summary>Timeout of one attempt of a search, a status lookup or a verification. Default 4 s: with one retry and
    /// its backoff, a search fits in the plugin host's 10 s call budget (checked at start).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Timeout of a debit, a cancel or a web-payment creation (sent once). Default 20 s: a debit given
    /// up too early becomes an unknown outcome to recover.</summary>
    public TimeSpan DebitTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Retries of the calls safe to repeat (searches, status by clientOrderId, verification). Never debits.
    /// Default one retry (200 ms, at most 5 s backoff).</summary>
    public RetryOptions Retry { get; set; } = new() { MaxRetries = 1 };

    /// <summary>Operations asked per page of the reconciliation list ([designed] §5, at most 500). Default 200.</summary>
    public int OperationsPageSize { get; set; } = 200;

    /// <summary>The most operations one reconciliation query reads (every page together); past it the query fails
    /// rather than hold an unbounded list. Default 50,000 (a busy till takes a few thousand a day).</summary>
    public int MaxOperations { get; set; } = 50_000;

    /// <summary>The largest answer read from Izly, in bytes; a larger one is not read and counts as a network error (for a
    /// debit: outcome unknown). Default 4 MiB (a page of 500 operations is about 150 KiB).</summary>
    public int MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The longest range one reconciliation query may ask ([designed] §5: 31 days).</summary>
    public TimeSpan MaxOperationsRange { get; set; } = TimeSpan.FromDays(31);

    /// <summary>The longest a call safe to repeat can take, every attempt and backoff included (a backoff with jitter is
    /// counted at twice its nominal delay, capped by <see cref="RetryOptions.MaxDelay"/>).</summary>
    public TimeSpan WorstCaseRepeatableCall
    {
        get
        {
            var total = Timeout * (Retry.MaxRetries + 1);
            for (var i = 0; i < Retry.MaxRetries; i++)
            {
                var nominal = Retry.BaseDelay * Math.Pow(2, i) * 2;
                total += nominal < Retry.MaxDelay ? nominal : Retry.MaxDelay;
            }

            return total;
        }
    }
}
