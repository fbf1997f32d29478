namespace Middleware.Api.Reference;

/// <summary>The reference-data store: configuration section <c>CrousApis:Reference</c>. The points of sale it
/// serves are the host's <c>PointsOfSale</c> list.</summary>
public sealed class ReferenceOptions
{
    public const string Section = "CrousApis:Reference";

    /// <summary>SQLite file of the store (created when missing). Default <c>data/reference.db</c>.</summary>
    public string DatabasePath { get; set; } = Path.Combine("data", "reference.db");

    /// <summary>Sync every configured point of sale when the host starts. Default true.</summary>
    public bool SyncAtStart { get; set; } = true;

    /// <summary>Time between two scheduled syncs of a point of sale. Default 1 h (prices change by period, rarely within a day).</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>First wait after a failed scheduled sync; doubles on each failure (with jitter) up to <see cref="RetryMaxDelay"/>. Default 30 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between retries of a failing sync. Default 15 min.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Data older than this is reported stale by <c>reference.status</c> (it is still served). Default 24 h.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Also pull the kiosk variants (<c>versBornesPrepaiement=1</c>) and mark those articles and prices. Default true.</summary>
    public bool IncludeKioskArticles { get; set; } = true;
}
