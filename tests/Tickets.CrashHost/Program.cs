using Middleware.Tickets.Numbering;
using System.Globalization;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Tickets;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;

// Usage: crashhost <db path> <ticket count> <concurrency>
// Submits tickets 0..count-1 (requestId "req-{i}", two points of sale) through TicketService.CommitAsync with
// `concurrency` tills at once, and writes "ACK i pos id numero" after each commit. Already-committed tickets (after a
// restart) are acknowledged again with their first numbers. Prints "DONE" at the end.
var dbPath = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var concurrency = int.Parse(args[2], CultureInfo.InvariantCulture);
PointOfSaleId[] points = [PointOfSaleId.Parse("5-1-9-8-14"), PointOfSaleId.Parse("5-1-9-8-15")];

var options = new TicketsOptions { DatabasePath = dbPath, VersionLogiciel = "crash-test", IdLogiciel = 39, UnknownNumberingOrigin = UnknownNumberingOrigin.StartAtOne };
await using var service = new TicketService(new TicketDatabase(dbPath), options, DefaultTicketMapper.Instance, new FixedReferenceCatalogSource(new SandboxLikeCatalog()), TimeProvider.System, new OutboxSignal());
var next = -1;
var output = Console.Out;
var gate = new object();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < count)
    {
        var pos = points[i % points.Length];
        var receipt = await service.CommitAsync(pos, "req-" + i.ToString(CultureInfo.InvariantCulture), Sale(i), CancellationToken.None);
        lock (gate)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ACK {i} {receipt.PointOfSale} {receipt.IdTicketEntete} {receipt.NumeroTicket}"));
            output.Flush();
        }
    }
})));
output.WriteLine("DONE");
output.Flush();

static TicketSale Sale(int i) => new()
{
    Lines =
    [
        new SaleLine { CodeArticle = 1201, UnitPriceTtc = 3.30m + (i % 5), Label = "Repas complet" },
        SaleLine.Subsidy(9101, 2.30m),
    ],
    Payment = new SalePayment { CodeReglement = CodeReglement.Izly, IdSupport = "36000000", IdTransactionIzly = "tx-" + i.ToString(CultureInfo.InvariantCulture), NumeroApplicatif = "04A1B2C3D4E5F6" },
    Customer = new SaleCustomer { CodeClient = "c-" + i.ToString(CultureInfo.InvariantCulture), BalanceAfter = 10m, CodeSociete = 10, Tarif = 2, IdSupport = "36000000" },
    Distribution = Distribution.OnSite,
};

/// <summary>The sandbox seed's articles and rates that these sales use (1201 and 9101 at codeTva 1 = 5.5 %).</summary>
internal sealed class SandboxLikeCatalog : IReferenceCatalog
{
    public bool ArticleExists(int codeArticle) => codeArticle is 1201 or 9101;
    public int? ArticleVatCode(int codeArticle) => ArticleExists(codeArticle) ? 1 : null;
    public decimal? VatRate(int codeTva) => codeTva switch { 1 => 5.5m, 2 => 10m, 3 => 20m, _ => null };
    public int? ProfileVatCode(int codeSociete, int codeTarif) => null;
    public int? IdLogiciel => 39;
}
