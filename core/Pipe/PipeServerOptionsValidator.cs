using System.Globalization;
using System.Runtime.Versioning;
using Microsoft.Extensions.Options;
using Middleware.Pipe.Security;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Pipe;

/// <summary>
/// Checks the <c>Pipe</c> section at start: limits and timeouts positive, and on Unix every account of
/// <c>AllowedUsers</c> and <c>OperatorUsers</c> and the <c>AllowedGroup</c> known to this system (a misspelt till
/// account would otherwise only show as a till refused at connection, and a misspelt group as a socket no till may open).
/// </summary>
/// <param name="accountExists">Whether a user (false) or group (true) name or numeric id is known; null: not checked
/// (Windows, whose accounts the pipe's ACL resolves).</param>
internal sealed class PipeServerOptionsValidator(Func<string, bool, bool>? accountExists) : IValidateOptions<PipeServerOptions>
{
    private const string Section = PipeServerOptions.SectionName;

    /// <summary>The validator of this platform: on Unix, names looked up in the password and group databases.</summary>
    public static PipeServerOptionsValidator ForCurrentPlatform()
    {
        if (OperatingSystem.IsWindows())
        {
            return new(null);
        }

        return new(UnixAccountExists);
    }

    [UnsupportedOSPlatform("windows")]
    private static bool UnixAccountExists(string name, bool group) =>
        (group ? UnixAccounts.GroupId(name) : UnixAccounts.UserId(name)) is not null;

    public ValidateOptionsResult Validate(string? name, PipeServerOptions o)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(o.PipeName))
        {
            failures.Add($"{Section}:PipeName: '{Printable(o.PipeName)}' must not be empty.");
        }

        AtLeast(failures, nameof(o.MaxMessageBytes), o.MaxMessageBytes, 1024);
        if (o.IdempotencyRetention < TimeSpan.FromDays(7))
        {
            failures.Add($"{Section}:IdempotencyRetention: '{o.IdempotencyRetention}' must be at least 7 days (protocol rule).");
        }

        Positive(failures, nameof(o.IdempotencyPurgeInterval), o.IdempotencyPurgeInterval);
        AtLeast(failures, nameof(o.MaxConnections), o.MaxConnections, 1);
        AtLeast(failures, nameof(o.ListenerCount), o.ListenerCount, 1);
        AtLeast(failures, nameof(o.MaxConnectionsBeforeHello), o.MaxConnectionsBeforeHello, 1);
        Positive(failures, nameof(o.HelloTimeout), o.HelloTimeout);
        if (o.IdleTimeout < o.HelloTimeout)
        {
            failures.Add($"{Section}:IdleTimeout: '{o.IdleTimeout}' must be at least {Section}:HelloTimeout ({o.HelloTimeout}).");
        }

        AtLeast(failures, nameof(o.MaxInFlightPerConnection), o.MaxInFlightPerConnection, 1);
        AtLeast(failures, nameof(o.MaxPendingOutputBytes), o.MaxPendingOutputBytes, 4096);
        Positive(failures, nameof(o.WriteTimeout), o.WriteTimeout);
        AtLeast(failures, nameof(o.MaxLogEntriesPerConnectionPerMinute), o.MaxLogEntriesPerConnectionPerMinute, 1);
        if (string.IsNullOrWhiteSpace(o.IdempotencyDatabasePath))
        {
            failures.Add($"{Section}:IdempotencyDatabasePath: '{Printable(o.IdempotencyDatabasePath)}' is empty; name the SQLite file of the first answers.");
        }

        Accounts(failures, nameof(o.AllowedUsers), o.AllowedUsers);
        Accounts(failures, nameof(o.OperatorUsers), o.OperatorUsers);
        if (!string.IsNullOrWhiteSpace(o.AllowedGroup) && accountExists is not null && !accountExists(o.AllowedGroup, true))
        {
            failures.Add($"{Section}:AllowedGroup: '{Printable(o.AllowedGroup)}' is not a group of this system.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Accounts(List<string> failures, string setting, List<string> accounts)
    {
        for (var i = 0; i < accounts.Count; i++)
        {
            var account = accounts[i];
            var path = string.Create(CultureInfo.InvariantCulture, $"{Section}:{setting}:{i}");
            if (string.IsNullOrWhiteSpace(account))
            {
                failures.Add($"{path}: '{Printable(account)}' is empty; name an account or a numeric id.");
            }
            else if (accountExists is not null && !accountExists(account, false))
            {
                failures.Add($"{path}: '{Printable(account)}' is not a user of this system.");
            }
        }
    }

    private static void AtLeast(List<string> failures, string setting, int value, int min)
    {
        if (value < min)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:{setting}: '{value}' must be at least {min}."));
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
