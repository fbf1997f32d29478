using System.Text.RegularExpressions;

namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>
/// The settings every PC/SC card plugin has, read from its <c>settings</c> object in <c>plugins.json</c> beside the
/// plugin's own: <c>{ "readerNamePattern": "OMNIKEY|Identiv", "readTimeoutMs": 5000 }</c>.
/// </summary>
public sealed class PcscCardSettings
{
    /// <summary>A regular expression (case-insensitive) the reader's name must match for the plugin to claim its
    /// cards; default: every reader.</summary>
    public string? ReaderNamePattern { get; set; }

    /// <summary>Limit for one whole read of a card, in milliseconds (1..60000). Default 5000.</summary>
    public int ReadTimeoutMs { get; set; } = 5000;

    /// <summary>The checked values; throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ValidatedPcscCardSettings Validate()
    {
        if (ReadTimeoutMs is <= 0 or > 60_000)
        {
            throw new ArgumentException($"Setting readTimeoutMs must be 1..60000, not {ReadTimeoutMs}.");
        }

        Regex? filter = null;
        if (!string.IsNullOrWhiteSpace(ReaderNamePattern))
        {
            try
            {
                filter = new Regex(ReaderNamePattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Setting readerNamePattern is not a valid regular expression: {ex.Message}");
            }
        }

        return new ValidatedPcscCardSettings(filter, TimeSpan.FromMilliseconds(ReadTimeoutMs));
    }
}

/// <summary>Checked <see cref="PcscCardSettings"/>.</summary>
/// <param name="ReaderFilter">The reader-name filter, or null for every reader.</param>
/// <param name="ReadTimeout">Limit for one whole read.</param>
public sealed record ValidatedPcscCardSettings(Regex? ReaderFilter, TimeSpan ReadTimeout)
{
    /// <summary>True when the plugin may claim cards on <paramref name="readerName"/>.</summary>
    /// <param name="readerName">A PC/SC reader name.</param>
    public bool Accepts(string readerName)
    {
        try
        {
            return ReaderFilter is null || ReaderFilter.IsMatch(readerName);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
