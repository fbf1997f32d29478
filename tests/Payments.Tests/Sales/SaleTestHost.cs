using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Payments.Terminals;
using Middleware.Payments.Tests.Journal;
using Middleware.PluginHost;

namespace Middleware.Payments.Tests.Sales;

/// <summary>A sale service on real SQLite files in <c>folder</c> (journal and sales), a fake Izly and a fixed pricer,
/// for one point of sale; with <c>readers</c>, its CB payments can go through a terminal.</summary>
internal sealed record SaleTestHost(SaleService Sales, PaymentJournal Journal, TerminalPayments Terminals)
{
    public static SaleTestHost Create(string folder, TimeProvider time, SalesOptions sales, PointOfSaleOptions pointOfSale,
        RecordingTickets? tickets = null, RecentTaps? taps = null, ICardReaders? readers = null, ISalePricer? pricer = null)
    {
        var izly = new FakeIzly(time);
        var payments = new PaymentOptions { DatabasePath = Path.Combine(folder, "payments.db") };
        sales.DatabasePath ??= Path.Combine(folder, "sales.db");
        var journal = new PaymentJournal(payments.DatabasePath, time);
        var processor = new PaymentProcessor(journal, izly, time, Options.Create(payments), NullLogger<PaymentProcessor>.Instance);
        var pointsOfSale = new FixedMonitor<List<PointOfSaleOptions>>([pointOfSale]);
        var services = new ServiceCollection();
        if (readers is not null)
        {
            services.AddSingleton(readers);
        }

        var terminals = new TerminalPayments(journal, services.BuildServiceProvider(), Options.Create(payments), pointsOfSale, time, NullLogger<TerminalPayments>.Instance);
        var service = new SaleService(new SaleStore(sales.DatabasePath, time), processor, journal, tickets ?? new RecordingTickets(), pricer ?? new FixedPricer(),
            new SinglePluginCatalog(new GatewayWebPaymentPlugin(izly)), taps ?? new RecentTaps(), Options.Create(sales), pointsOfSale,
            time, NullLogger<SaleService>.Instance, terminals: terminals);
        return new SaleTestHost(service, journal, terminals);
    }
}
