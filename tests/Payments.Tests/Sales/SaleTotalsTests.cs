using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Payments.Sales;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Tests.Sales;

/// <summary>
/// Issue 16: the CB total is known before the till charges its own card terminal. <c>sale.quote</c> prices the open sale
/// for each method as <c>sale.pay</c> will, and a declared CB payment whose amount is not the CB total is refused
/// (1412) before anything is recorded: the sale stays open and no ticket is written.
/// </summary>
public sealed class SaleTotalsTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private static readonly PointOfSaleId PosId = PointOfSaleId.Parse(Pos);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "totals-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
    private readonly RecordingTickets _tickets = new();

    public SaleTotalsTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_quote_gives_each_methods_total_and_a_declared_cb_payment_must_match_the_cb_total()
    {
        var sales = NewSales(terminal: null);
        var sale = await OpenWithBasketAsync(sales);

        var quote = await sales.QuoteAsync(PosId, sale.Id, default);
        Assert.Equal((3.30m, 3.80m, (string?)null), (quote.Izly, quote.Cb, quote.Terminal));

        // The till charged the Izly price on its terminal: refused, nothing recorded, the sale still open.
        var wrong = await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, sale.Id, Guid.NewGuid(), "cb", 3.30m, default));
        Assert.Equal(ErrorCode.SaleTotalMismatch, wrong.Code);
        Assert.Contains("3.80", wrong.Message, StringComparison.Ordinal);
        var after = await sales.GetAsync(PosId, sale.Id, default);
        Assert.Equal((SaleState.Open, (string?)null), (after.State, after.PaymentRequestId));
        Assert.Empty(_tickets.Committed);

        // The quoted CB total (3.8 and 3.80 are the same amount): committed at that total, one ticket paid by CB.
        var paid = await sales.PayAsync(PosId, sale.Id, Guid.NewGuid(), "cb", 3.8m, default);
        Assert.Equal(SaleState.Committed, paid.Sale.State);
        Assert.Equal(3.80m, paid.Sale.Pricing!.TotalTtc);
        var ticket = Assert.Single(_tickets.Committed.Values);
        Assert.Equal(CodeReglement.Cb, ticket.Sale.Payment.CodeReglement);
        Assert.Equal(2, ticket.Sale.Lines.Count);

        // A paid sale is no longer quoted: its total is the one paid.
        Assert.Equal(ErrorCode.SaleStateInvalid, (await Assert.ThrowsAsync<MiddlewareException>(() => sales.QuoteAsync(PosId, sale.Id, default))).Code);
    }

    [Fact]
    public async Task An_izly_payment_with_an_amount_is_checked_against_the_izly_total_and_an_empty_sale_quotes_zero()
    {
        var sales = NewSales(terminal: null);
        var empty = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        var zero = await sales.QuoteAsync(PosId, empty.Id, default);
        Assert.Equal((0m, 0m), (zero.Izly, zero.Cb));

        var sale = await OpenWithBasketAsync(sales);
        var error = await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, sale.Id, Guid.NewGuid(), "izly", 3.80m, default));
        Assert.Equal(ErrorCode.SaleTotalMismatch, error.Code);
        Assert.Equal(SaleState.Open, (await sales.GetAsync(PosId, sale.Id, default)).State);
    }

    [Fact]
    public async Task A_point_of_sale_with_a_terminal_quotes_that_terminal_and_refuses_another_amount_before_asking_it()
    {
        var sales = NewSales(terminal: "Tetra 1");
        var sale = await OpenWithBasketAsync(sales);

        var quote = await sales.QuoteAsync(PosId, sale.Id, default);

        Assert.Equal(("Tetra 1", 3.80m), (quote.Terminal, quote.Cb));

        // An amount the till sends must be that total too: refused before the terminal is asked (it would answer 1111
        // here, no terminal being connected), and the sale stays open.
        var error = await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, sale.Id, Guid.NewGuid(), "cb", 3.30m, default));
        Assert.Equal(ErrorCode.SaleTotalMismatch, error.Code);
        Assert.Equal(SaleState.Open, (await sales.GetAsync(PosId, sale.Id, default)).State);
    }

    private static async Task<Sale> OpenWithBasketAsync(SaleService sales)
    {
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        return await sales.SetBasketAsync(PosId, sale.Id, Basket.Of(new BasketLine { CodeArticle = 1001 }), 1, default);
    }

    private SaleService NewSales(string? terminal) =>
        SaleTestHost.Create(_dir, _time, new SalesOptions(), new PointOfSaleOptions { Id = Pos, Terminal = terminal }, _tickets, pricer: new CbFeePricer()).Sales;

    /// <summary>A site whose rule adds a 0.50 € fee to a CB payment: the CB total differs from the Izly one.</summary>
    private sealed class CbFeePricer : ISalePricer
    {
        public Task<PricingResult> PriceAsync(PointOfSaleId pointOfSale, Basket basket, CustomerProfile profile, int? paymentCode, CancellationToken cancellationToken)
        {
            List<PricedLine> lines = [new PricedLine { CodeArticle = 1001, Label = "Repas", Quantity = 1, UnitPriceTtc = 3.30m, CodeTva = 2, VatRate = 10m }];
            if (paymentCode == CodeReglement.Cb)
            {
                lines.Add(new PricedLine { CodeArticle = 9100, Label = "Frais CB", Quantity = 1, UnitPriceTtc = 0.50m, CodeTva = 2, VatRate = 10m, Kind = LineKind.EntryFee });
            }

            return Task.FromResult(new PricingResult { Lines = lines });
        }
    }
}
