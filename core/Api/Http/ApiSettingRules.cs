using System.Net;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Api.Http;

/// <summary>The start-time rules shared by the VEM and Izly sections: base URLs, timeouts and retries.</summary>
internal static class ApiSettingRules
{
    /// <summary>Longest timeout or delay accepted: past it a call is as good as lost.</summary>
    internal static readonly TimeSpan MaxSpan = TimeSpan.FromMinutes(10);

    /// <summary>An absolute http(s) URL; plain http only to this machine (loopback) or when the embedded sandbox is on
    /// (a demo or test set-up), since tokens, keys and card holders' data travel on it.</summary>
    public static void Url(List<string> failures, string setting, Uri? url, bool sandbox, bool required = true)
    {
        if (url is null)
        {
            if (required)
            {
                failures.Add($"{setting}: '' is missing; set an absolute https URL.");
            }

            return;
        }

        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
        {
            failures.Add($"{setting}: '{Printable(url.OriginalString)}' is not an absolute http or https URL (e.g. https://api.example.fr).");
            return;
        }

        if (url.Scheme == "http" && !sandbox && !IsLoopback(url))
        {
            failures.Add($"{setting}: '{Printable(url.OriginalString)}' must use https: plain http is only for this machine (loopback) or the embedded sandbox.");
        }
    }

    /// <summary>A positive span no longer than <see cref="MaxSpan"/>.</summary>
    public static void Span(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaxSpan)
        {
            failures.Add($"{setting}: '{value}' must be positive and at most {MaxSpan}.");
        }
    }

    /// <summary>Largest answer accepted: from 64 KiB (an error body, a page) to 256 MiB (memory the host can spare).</summary>
    public static void ResponseSize(List<string> failures, string setting, int value)
    {
        if (value is < 64 * 1024 or > 256 * 1024 * 1024)
        {
            failures.Add($"{setting}: '{value}' must be from 65536 (64 KiB) to 268435456 (256 MiB).");
        }
    }

    public static void Retry(List<string> failures, string section, RetryOptions retry)
    {
        if (retry.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{section}:Retry:MaxRetries: '{retry.MaxRetries}' must be from 0 to 10.");
        }

        Span(failures, section + ":Retry:BaseDelay", retry.BaseDelay);
        Span(failures, section + ":Retry:MaxDelay", retry.MaxDelay);
        if (retry.MaxDelay < retry.BaseDelay)
        {
            failures.Add($"{section}:Retry:MaxDelay: '{retry.MaxDelay}' must be at least {section}:Retry:BaseDelay ({retry.BaseDelay}).");
        }
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
