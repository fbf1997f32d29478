using System.Globalization;
using System.Text;

namespace Middleware.Plugins.Testing;

/// <summary>What the kit found, check by check, for one plugin and one profile.</summary>
public sealed class ConformanceReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="pluginId">The plugin checked.</param>
    /// <param name="profile">The profile run (<c>reader</c>, <c>channel</c>) and its mode.</param>
    /// <param name="checks">The rows, in the order they ran.</param>
    public ConformanceReport(string pluginId, string profile, IReadOnlyList<ConformanceCheck> checks)
    {
        PluginId = pluginId;
        Profile = profile;
        Checks = checks;
    }

    /// <summary>The plugin checked.</summary>
    public string PluginId { get; }

    /// <summary>The profile and mode, e.g. <c>reader (fake PC/SC)</c>.</summary>
    public string Profile { get; }

    /// <summary>Every check, in the order it ran.</summary>
    public IReadOnlyList<ConformanceCheck> Checks { get; }

    /// <summary>The checks that failed.</summary>
    public IReadOnlyList<ConformanceCheck> Failures => [.. Checks.Where(c => !c.Passed)];

    /// <summary>True when every check passed (and there was at least one).</summary>
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);

    /// <summary>A plain-text table: one row per check with its verdict, time and detail.</summary>
    public string ToText()
    {
        var nameWidth = Math.Max(5, Checks.Count == 0 ? 0 : Checks.Max(c => c.Name.Length));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Conformance of {PluginId}, {Profile} profile: {Checks.Count(c => c.Passed)}/{Checks.Count} checks passed").AppendLine();
        text.Append("check".PadRight(nameWidth)).Append(" | result | time ms | detail").AppendLine();
        text.Append(new string('-', nameWidth)).Append("-|--------|---------|-------").AppendLine();
        foreach (var check in Checks)
        {
            text.Append(check.Name.PadRight(nameWidth))
                .Append(check.Passed ? " | pass   | " : " | FAIL   | ")
                .Append(check.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture).PadLeft(7))
                .Append(" | ")
                .Append(check.Detail.ReplaceLineEndings(" "))
                .AppendLine();
        }

        return text.ToString();
    }

    /// <summary>Throws <see cref="ConformanceException"/> listing the failed checks, if any (or when nothing ran).</summary>
    public void ThrowIfFailed()
    {
        if (!Passed)
        {
            throw new ConformanceException(this);
        }
    }

    /// <inheritdoc />
    public override string ToString() => ToText();
}

/// <summary>A plugin did not honour the contract: the message is the report's table.</summary>
public sealed class ConformanceException : Exception
{
    /// <summary>Creates the exception for a failed report.</summary>
    /// <param name="report">The report.</param>
    public ConformanceException(ConformanceReport report)
        : base($"{report.Failures.Count} conformance check(s) failed:{Environment.NewLine}{report?.ToText()}")
    {
        Report = report!;
    }

    /// <summary>Creates the exception (for serializers).</summary>
    public ConformanceException() : base("Conformance checks failed.") => Report = new ConformanceReport("?", "?", []);

    /// <summary>Creates the exception (for serializers).</summary>
    /// <param name="message">The message.</param>
    public ConformanceException(string message) : base(message) => Report = new ConformanceReport("?", "?", []);

    /// <summary>Creates the exception (for serializers).</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public ConformanceException(string message, Exception inner) : base(message, inner) => Report = new ConformanceReport("?", "?", []);

    /// <summary>The report that failed.</summary>
    public ConformanceReport Report { get; }
}
