using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Middleware.Contracts;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Sales;
using Middleware.PluginHost;
using Middleware.Scripting.Globals;
using Middleware.Tickets;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;

namespace Middleware.Payments.Tests.Sales;

/// <summary>The IzlyPay channel as the plugin serves it: the gateway's web-payment calls, verified by operation id.</summary>
internal sealed class GatewayWebPaymentPlugin(IIzlyGateway gateway) : IWebPaymentChannelPlugin
{
    public PluginMetadata Metadata { get; } = new("channel.izlypay", "1.0.0", ContractInfo.Version, "IzlyPay (tests)");

    public string Channel => "izlypay";

    public Task StartAsync(IPluginContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<WebPaymentStarted> StartAsync(string pointOfSale, string clientOrderId, decimal amount, string message, Uri? callbackUrl, Uri? redirectUrl, CancellationToken cancellationToken) =>
        gateway.StartWebPaymentAsync(pointOfSale, clientOrderId, amount, message, callbackUrl, redirectUrl, cancellationToken);

    public async Task<WebPaymentState> GetStateAsync(string pointOfSale, string operationId, string clientOrderId, CancellationToken cancellationToken)
    {
        var state = await gateway.GetWebPaymentAsync(pointOfSale, operationId, clientOrderId, cancellationToken);
        return state.OperationId == operationId ? state : state with { Status = IzlyOperationStatus.Refused, Error = "other operation" };
    }
}

/// <summary>A catalog with the one IzlyPay plugin: calls go straight to it, as the real catalog does once it is active.</summary>
internal sealed class SinglePluginCatalog(IPlugin plugin) : IPluginCatalog
{
    public IReadOnlyList<PluginStatusInfo> GetStatuses() => throw new NotSupportedException();

    public Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin =>
        pluginId == plugin.Metadata.Id && plugin is TPlugin typed
            ? call(typed, cancellationToken)
            : throw new MiddlewareException(ErrorCode.PluginUnavailable, $"No plugin {pluginId} in this test.");

    public Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, TimeSpan timeout, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin => InvokeAsync(pluginId, call, cancellationToken);

    public IReadOnlyList<string> ActivePlugins<TPlugin>() where TPlugin : class, IPlugin => throw new NotSupportedException();
}

/// <summary>The outbox's commit contract: idempotent by (point of sale, request id); counts real commits.</summary>
internal sealed class RecordingTickets : ITicketService
{
    private readonly ConcurrentDictionary<string, (TicketReceipt Receipt, TicketSale Sale)> _committed = new();
    private int _number;

    public IReadOnlyDictionary<string, (TicketReceipt Receipt, TicketSale Sale)> Committed => _committed;

    /// <summary>The clock that dates the receipts (the Unix epoch without one).</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>When set, a commit it returns an exception for throws it (nothing committed): a store or VEM failure.</summary>
    public Func<TicketSale, Exception?>? Failure { get; set; }

    public Task<TicketReceipt> CommitAsync(PointOfSaleId pointOfSale, string requestId, TicketSale sale, CancellationToken cancellationToken)
    {
        if (Failure?.Invoke(sale) is { } failure)
        {
            return Task.FromException<TicketReceipt>(failure);
        }

        var key = $"{pointOfSale}|{requestId}";
        if (_committed.TryGetValue(key, out var existing))
        {
            return Task.FromResult(existing.Receipt with { AlreadyCommitted = true });
        }

        var n = Interlocked.Increment(ref _number).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var receipt = new TicketReceipt(pointOfSale.ToString(), n, n, Time?.GetUtcNow() ?? DateTimeOffset.UnixEpoch, false);
        return Task.FromResult(_committed.GetOrAdd(key, (receipt, sale)).Receipt);
    }

    public Task<TicketRecord?> GetAsync(PointOfSaleId pointOfSale, long idTicketEntete, CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>A committed ticket with its sale; its body only says what it is (VT or RB), as these tests map nothing.</summary>
    public Task<TicketDetail?> GetDetailAsync(PointOfSaleId pointOfSale, long idTicketEntete, CancellationToken cancellationToken)
    {
        var id = idTicketEntete.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, (receipt, sale)) in _committed)
        {
            if (receipt.PointOfSale == pointOfSale.ToString() && receipt.IdTicketEntete == id)
            {
                var body = new Domain.Tickets.VemTicket
                {
                    IdTicketEntete = id, NumeroTicket = receipt.NumeroTicket, Date = receipt.Date, VersionLogiciel = "test",
                    CodeEvenement = sale.Refund is null ? Domain.Tickets.CodeEvenements.Sale : Domain.Tickets.CodeEvenements.Refund,
                    ListeLignes = [], ListeReglements = [],
                };
                var record = new TicketRecord
                {
                    PointOfSale = receipt.PointOfSale, IdTicketEntete = id, NumeroTicket = receipt.NumeroTicket, RequestId = key[(key.IndexOf('|') + 1)..],
                    State = TicketState.Pending, CommittedAt = receipt.Date, Attempts = 0, Ticket = body,
                };
                return Task.FromResult<TicketDetail?>(new TicketDetail(record, sale, []));
            }
        }

        return Task.FromResult<TicketDetail?>(null);
    }

    public Task<TicketRecord?> GetByRequestIdAsync(PointOfSaleId pointOfSale, string requestId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<OutboxStatus> GetOutboxStatusAsync(PointOfSaleId? pointOfSale, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<TicketRecord>> ListAsync(PointOfSaleId? pointOfSale, TicketState? state, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<TicketRecord> ReplayAsync(PointOfSaleId pointOfSale, long idTicketEntete, bool remap, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>One article at 3.30 € whatever the basket: pricing is not what these tests are about.</summary>
internal sealed class FixedPricer : ISalePricer
{
    public Task<PricingResult> PriceAsync(PointOfSaleId pointOfSale, Basket basket, CustomerProfile profile, int? paymentCode, CancellationToken cancellationToken) =>
        Task.FromResult(new PricingResult
        {
            Lines = [new PricedLine { CodeArticle = 1001, Label = "Repas", Quantity = 1, UnitPriceTtc = 3.30m, CodeTva = 2, VatRate = 10m }],
        });
}

internal sealed class FixedMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
