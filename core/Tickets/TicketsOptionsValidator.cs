using System.Globalization;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Tickets;

/// <summary>
/// Checks the <c>Tickets</c> section at start: outbox batch sizes, backoff and poll delays and Whiz attempts positive and
/// ordered (a zero delay would retry VEM in a loop), the default time zone known to this OS, each numbering floor keyed
/// by a point of sale id. The points of sale's own time zones are <see cref="PointsOfSaleValidator"/>'s.
/// </summary>
internal sealed class TicketsOptionsValidator : IValidateOptions<TicketsOptions>
{
    private const string Section = TicketsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TicketsOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add($"{Section}:DatabasePath: '{Printable(options.DatabasePath)}' is empty; name the SQLite file of the outbox.");
        }

        AtLeastOne(failures, nameof(options.BatchSize), options.BatchSize);
        AtLeastOne(failures, nameof(options.MaxCommitGroup), options.MaxCommitGroup);
        AtLeastOne(failures, nameof(options.WhizMaxAttempts), options.WhizMaxAttempts);
        Positive(failures, nameof(options.InitialBackoff), options.InitialBackoff);
        Positive(failures, nameof(options.PollInterval), options.PollInterval);
        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add($"{Section}:MaxBackoff: '{options.MaxBackoff}' must be at least {Section}:InitialBackoff ({options.InitialBackoff}).");
        }

        if (options.BackoffJitter is < 0 or > 1 || double.IsNaN(options.BackoffJitter))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:BackoffJitter: '{options.BackoffJitter}' must be from 0 to 1."));
        }

        if (string.IsNullOrWhiteSpace(options.DefaultTimeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(options.DefaultTimeZone, out _))
        {
            failures.Add($"{Section}:DefaultTimeZone: '{Printable(options.DefaultTimeZone)}' is not a time zone of this system (an IANA name such as Europe/Paris).");
        }

        foreach (var (pointOfSale, floor) in options.NumberingFloors)
        {
            if (!PointOfSaleId.TryParse(pointOfSale, out _))
            {
                failures.Add($"{Section}:NumberingFloors:{Printable(pointOfSale)}: the key is not a point of sale id (idCrous-idUg-idRu-idUd-idCaisse, e.g. 5-1-9-8-14).");
            }
            else if (floor.LastIdTicketEntete < 0)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:NumberingFloors:{pointOfSale}:LastIdTicketEntete: '{floor.LastIdTicketEntete}' must not be negative."));
            }
        }

        if (!Enum.IsDefined(options.UnknownNumberingOrigin))
        {
            failures.Add($"{Section}:UnknownNumberingOrigin: '{options.UnknownNumberingOrigin}' must be Refuse or StartAtOne.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AtLeastOne(List<string> failures, string setting, int value)
    {
        if (value < 1)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:{setting}: '{value}' must be at least 1."));
        }
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{setting}: '{value}' must be positive.");
        }
    }
}
