using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.Scripting.Globals;

namespace Middleware.Scripting.Testing;

/// <summary>
/// A test-case file for <c>mwctl script test</c> (<c>*.cases.json</c>): baskets, customers and times with the lines
/// and totals Crous IT expect. See <c>scripts/README.md</c> for the format.
/// </summary>
public sealed record ScriptTestFile
{
    /// <summary>The catalogue the cases price from: a path to a prices.json (relative to this file) or an inline
    /// price list. Absent: the site's own prices.json.</summary>
    public JsonElement? Catalog { get; init; }

    /// <summary>IANA time zone for <c>at</c> values without offset. Default Europe/Paris.</summary>
    public string? TimeZone { get; init; }

    public List<ScriptTestCase> Cases { get; init; } = [];
}

public sealed record ScriptTestCase
{
    public string Name { get; init; } = "(unnamed case)";

    /// <summary>When the sale happens, e.g. <c>2026-11-26T12:15:00+01:00</c>.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary><c>izly</c>, <c>cb</c>, <c>fidelite</c> or a codeReglement number; absent: not said.</summary>
    public JsonElement? Payment { get; init; }

    public CustomerProfile Customer { get; init; } = CustomerProfile.AnonymousGuest;

    public List<BasketLine> Basket { get; init; } = [];

    public ScriptTestExpectation? Expect { get; init; }

    /// <summary>The case passes when pricing fails with a message containing this text.</summary>
    public string? ExpectError { get; init; }
}

public sealed record ScriptTestExpectation
{
    /// <summary>The expected lines, in order; absent: lines not checked.</summary>
    public List<ExpectedLine>? Lines { get; init; }

    public decimal? TotalTtc { get; init; }

    public int? LoyaltyPoints { get; init; }
}

/// <summary>An expected line: only the fields given are compared.</summary>
public sealed record ExpectedLine
{
    public int CodeArticle { get; init; }
    public int? Quantity { get; init; }
    public decimal? UnitPriceTtc { get; init; }
    public int? CodeTva { get; init; }
    public LineKind? Kind { get; init; }
    public int? LoyaltyPoints { get; init; }

    [JsonPropertyName("unitPriceHt")] public decimal? UnitPriceHt { get; init; }
}
