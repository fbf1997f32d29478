using System.Text.Json;
using Middleware.Scripting.Globals;
using Middleware.Tickets.Model;

namespace Middleware.Scripting.Testing;

/// <summary>
/// A mapping test-case file (<c>mapping.cases.json</c>, <c>"kind": "mapping"</c>): sales (basket, customer profile,
/// payment) and the VEM ticket Crous IT expect the site to send for each. See <c>scripts/README.md</c>.
/// </summary>
public sealed record MappingTestFile
{
    public string? Kind { get; init; }

    /// <summary>The catalogue (VEM's data for the test): a path to a prices.json-style file, relative to this one, or inline.</summary>
    public JsonElement? Catalog { get; init; }

    public string? TimeZone { get; init; }

    /// <summary><c>complementaire.idLogiciel</c> the host would give (VEM's caisse resource). Default 1.</summary>
    public int IdLogiciel { get; init; } = 1;

    public List<MappingTestCase> Cases { get; init; } = [];
}

/// <summary>One sale: the basket is priced by the site's pricing script first (as in the host), then mapped.</summary>
public sealed record MappingTestCase
{
    public string Name { get; init; } = "(unnamed case)";

    public DateTimeOffset At { get; init; }

    public CustomerProfile Customer { get; init; } = CustomerProfile.AnonymousGuest;

    public List<BasketLine> Basket { get; init; } = [];

    /// <summary>The payment as the sale records it (<c>codeReglement</c> 9 Izly with <c>idSupport</c> or <c>qrCode</c>,
    /// and <c>idTransactionIzly</c>; 4 CB).</summary>
    public SalePayment? Payment { get; init; }

    /// <summary>1 on site (the default, as the host's sales), 2 take away.</summary>
    public int? Distribution { get; init; }

    /// <summary>The customer's balance after the sale (<c>soldeClient</c>), when the case wants it in the ticket.</summary>
    public decimal? BalanceAfter { get; init; }

    /// <summary>The fields of the VEM ticket expected (only those named are compared; arrays element by element).</summary>
    public JsonElement? Expect { get; init; }

    /// <summary>The case passes when mapping fails with a message containing this text.</summary>
    public string? ExpectError { get; init; }

    /// <summary>The case passes when the produced ticket breaks this VEM rule (e.g. <c>LINE_VAT_CODE</c>).</summary>
    public string? ExpectInvalid { get; init; }
}
