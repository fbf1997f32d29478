namespace Middleware.Domain.PointsOfSale;

/// <summary>
/// The points of sale one host serves (configuration section <c>PointsOfSale</c>, a list).
/// </summary>
public sealed class PointOfSaleOptions
{
    /// <summary><c>idCrous-idUg-idRu-idUd-idCaisse</c>, e.g. <c>5-1-9-8-14</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>A name for screens and logs.</summary>
    public string Label { get; set; } = "";

    /// <summary>IANA time zone of the point of sale: its local date numbers tickets. Default Europe/Paris.</summary>
    public string TimeZone { get; set; } = "Europe/Paris";

    /// <summary>Reader names whose taps go to this point of sale's tills.</summary>
    public List<string> Readers { get; set; } = [];

    /// <summary>
    /// The payment terminal that takes this point of sale's CB payments (a terminal name from <c>readers.list</c>, e.g.
    /// <c>Tetra 1</c>): <c>sale.pay</c> <c>"cb"</c> then asks it for the amount and waits for its answer. Null (default):
    /// the till takes CB on its own terminal and <c>sale.pay</c> <c>"cb"</c> only records it.
    /// </summary>
    public string? Terminal { get; set; }

    /// <summary>The site folder under <c>scripts/sites</c> whose scripts price and map this point of sale (null: defaults).</summary>
    public string? ScriptSite { get; set; }

    public PointOfSaleId ParsedId => PointOfSaleId.Parse(Id);
}
