using System.Globalization;
using Microsoft.Extensions.Options;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Domain.PointsOfSale;

/// <summary>
/// Checks the <c>PointsOfSale</c> list at start, every entry at once: ids well formed and unique, labels present, time
/// zones known to this OS, reader names present and each served by one point of sale only. A wrong id otherwise only
/// showed as error 1001 at a till's <c>hello</c>, and a reader listed twice would hand one card to two tills. Each
/// message names the setting's path (<c>PointsOfSale:2:Id</c>) and the bad value. The script site is checked by the
/// scripting feature, which knows the scripts folder.
/// </summary>
public sealed class PointsOfSaleValidator : IValidateOptions<List<PointOfSaleOptions>>
{
    /// <summary>The configuration section of the list.</summary>
    public const string Section = "PointsOfSale";

    /// <summary>Longest label accepted: it is shown on till screens and in logs.</summary>
    internal const int MaxLabelLength = 100;

    public ValidateOptionsResult Validate(string? name, List<PointOfSaleOptions> options)
    {
        var failures = new List<string>();
        var ids = new Dictionary<PointOfSaleId, int>();
        var readers = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Count; i++)
        {
            var pointOfSale = options[i];
            var path = string.Create(CultureInfo.InvariantCulture, $"{Section}:{i}");
            CheckId(pointOfSale.Id, path, ids, i, failures);
            CheckLabel(pointOfSale.Label, path, failures);
            CheckTimeZone(pointOfSale.TimeZone, path, failures);
            CheckReaders(pointOfSale.Readers, path, readers, failures);
            if (pointOfSale.Terminal is { Length: > 0 } terminal && string.IsNullOrWhiteSpace(terminal))
            {
                failures.Add($"{path}:Terminal: '{terminal}' is blank; name a terminal (e.g. Tetra 1) or leave the setting out.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckId(string id, string path, Dictionary<PointOfSaleId, int> ids, int index, List<string> failures)
    {
        if (!PointOfSaleId.TryParse(id, out var parsed) || parsed.ToString() != id.Trim())
        {
            // ToString round trip: "05-1-9-8-14" parses but is not the id a till sends in hello.
            failures.Add($"{path}:Id: '{Printable(id)}' is not a point of sale id idCrous-idUg-idRu-idUd-idCaisse (five numbers without leading zeros, e.g. 5-1-9-8-14).");
            return;
        }

        if (!ids.TryAdd(parsed, index))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:Id: '{id}' is already the id of {Section}:{ids[parsed]}; each point of sale is listed once."));
        }
    }

    private static void CheckLabel(string label, string path, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(label))
        {
            failures.Add($"{path}:Label: '{Printable(label)}' is empty; give the point of sale a name for screens and logs.");
        }
        else if (label.Length > MaxLabelLength || label.Any(char.IsControl))
        {
            failures.Add($"{path}:Label: '{Printable(label)}' must be at most {MaxLabelLength} characters, without control characters.");
        }
    }

    private static void CheckTimeZone(string timeZone, string path, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(timeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            failures.Add($"{path}:TimeZone: '{Printable(timeZone)}' is not a time zone of this system (an IANA name such as Europe/Paris).");
        }
    }

    private static void CheckReaders(List<string> names, string path, Dictionary<string, string> readers, List<string> failures)
    {
        for (var r = 0; r < names.Count; r++)
        {
            var reader = names[r];
            var readerPath = string.Create(CultureInfo.InvariantCulture, $"{path}:Readers:{r}");
            if (string.IsNullOrWhiteSpace(reader))
            {
                failures.Add($"{readerPath}: '{Printable(reader)}' is empty; name the reader as PC/SC lists it.");
            }
            else if (!readers.TryAdd(reader, readerPath))
            {
                // One reader, one point of sale: a tap must go to exactly one till's sale.
                failures.Add($"{readerPath}: '{Printable(reader)}' is already listed at {readers[reader]}; a reader serves one point of sale.");
            }
        }
    }
}
