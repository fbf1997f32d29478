using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Rpc;
using Middleware.Payments.Chaos;
using Middleware.Payments.Journal;
using Middleware.Payments.Rpc;
using Middleware.Payments.Sales;
using Middleware.PluginHost;

namespace Middleware.Payments;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>
    /// The payment journal, sales, their recovery and their till-protocol methods (sections <c>Payments</c>, <c>Sales</c>,
    /// <c>PointsOfSale</c>). The host must also register an <see cref="Contracts.Channels.IIzlyGateway"/> and an
    /// <see cref="ISalePricer"/>.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection("Payments")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PaymentOptions>, TimeoutNestingValidator>());
        services.AddOptions<SalesOptions>().Bind(configuration.GetSection("Sales"))
            .Validate(o => o.AllowedProfiles() is not null, "Sales:ProfilesWithoutIdentification: every entry is societe/tarif, e.g. 8000/1.")
            .ValidateOnStart();
        services.AddOptions<List<PointOfSaleOptions>>().Bind(configuration.GetSection(PointsOfSaleValidator.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<List<PointOfSaleOptions>>, PointsOfSaleValidator>());
        services.Configure<ChaosOptions>(configuration.GetSection("Chaos"));
        services.AddSingleton<CrashPoints>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new PaymentJournal(sp.GetRequiredService<IOptions<PaymentOptions>>().Value.DatabasePath, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<PaymentJournal>>()));
        services.AddSingleton(sp =>
        {
            var journal = sp.GetRequiredService<PaymentJournal>();
            var salesPath = sp.GetRequiredService<IOptions<SalesOptions>>().Value.DatabasePath ?? journal.DatabasePath;
            var sharesJournalFile = string.Equals(Path.GetFullPath(salesPath), Path.GetFullPath(journal.DatabasePath), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
            var logger = sp.GetService<ILogger<SaleStore>>();
            return sharesJournalFile ? new SaleStore(journal, logger) : new SaleStore(salesPath, sp.GetRequiredService<TimeProvider>(), logger);
        });
        services.AddSingleton<PaymentProcessor>();
        services.AddSingleton<Terminals.TerminalPayments>();
        services.AddSingleton<RecentTaps>();
        services.AddSingleton<SaleService>();
        services.TryAddSingleton<Tickets.IUnticketedSalesCounter, UnticketedSalesCounter>();
        services.TryAddSingleton<Tickets.Closing.IClosingOpenItemsSource, Closing.PaymentOpenItems>();
        services.TryAddSingleton(sp => new Reconciliation.ReconciliationService(
            sp.GetRequiredService<Tickets.Closing.ClosingService>(), sp.GetRequiredService<Tickets.Journal.JournalService>(),
            sp.GetRequiredService<PaymentJournal>(), sp.GetRequiredService<Api.Izly.IIzlyOperations>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Reconciliation.ReconciliationService>>()));
        services.AddSingleton<IRpcTarget, Reconciliation.ReconciliationRpcTarget>();
        services.TryAddSingleton<ISalePricer, ScriptSalePricer>();
        services.TryAddSingleton<Scripting.Prices.IPriceCatalogSource, ReferencePriceCatalogSource>();
        services.AddSingleton<IRpcTarget, SaleMethods>();
        services.AddSingleton<IRpcTarget, SaleQuoteMethods>();
        services.AddSingleton<IRpcTarget, CatalogMethods>();
        services.AddSingleton(new RpcJsonMetadata(PaymentsRpcJsonContext.Default, typeof(Middleware.Scripting.Globals.BasketLine)));
        services.AddHostedService<TapSubscription>();
        services.AddHostedService<SaleRecoveryService>();
        return services;
    }

    // Feeds card taps to the sales for as long as the host runs.
    private sealed class TapSubscription(ICardEventSource events, RecentTaps taps) : IHostedService
    {
        private IDisposable? _subscription;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _subscription = events.Subscribe(taps);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _subscription?.Dispose();
            return Task.CompletedTask;
        }
    }
}
