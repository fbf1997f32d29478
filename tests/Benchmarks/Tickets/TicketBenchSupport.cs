using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Model;

namespace Middleware.Benchmarks.Tickets;

/// <summary>The 99th percentile of the measured iterations (with one invocation per iteration: per-operation latency).</summary>
internal sealed class P99Column : IColumn
{
    public string Id => "P99";
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 10;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "99th percentile of one operation";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null)
        {
            return "-";
        }

        var perOp = stats.Percentiles.Percentile(99);
        return (perOp / 1_000_000d).ToString("0.000", CultureInfo.InvariantCulture) + " ms";
    }
}

internal static class BenchSales
{
    /// <summary>The crash host's sale: meal + €1-meal subsidy, Izly card, sandbox reference data.</summary>
    public static TicketSale Sale(int i) => new()
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
}

internal sealed class BenchCatalog : IReferenceCatalog
{
    public bool ArticleExists(int codeArticle) => codeArticle is 1201 or 9101;
    public int? ArticleVatCode(int codeArticle) => ArticleExists(codeArticle) ? 1 : null;
    public decimal? VatRate(int codeTva) => codeTva switch { 1 => 5.5m, 2 => 10m, 3 => 20m, _ => null };
    public int? ProfileVatCode(int codeSociete, int codeTarif) => null;
    public int? IdLogiciel => 39;
}
