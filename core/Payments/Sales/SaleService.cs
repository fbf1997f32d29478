using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Chaos;
using Middleware.Payments.Journal;
using Middleware.Payments.Terminals;
using Middleware.PluginHost;
using Middleware.Scripting.Globals;
using Middleware.Tickets;

namespace Middleware.Payments.Sales;

/// <summary>
/// Holds each sale from open to committed ticket: basket and customer → price (script) → debit (journal + channel
/// plugin) → ticket (outbox). Every step that takes money is durable first, and whatever a crash interrupts is finished
/// by <see cref="CompleteUnfinishedAsync"/>, never repeated. This is the facade the till methods and the recovery pass
/// use; each job lives in its own part (editing, checkout, web payments, continuation, ticket, recovery).
/// </summary>
public sealed class SaleService
{
    private readonly SaleTransitions _transitions;
    private readonly SaleEditor _editor;
    private readonly SaleCheckout _checkout;
    private readonly WebPaymentStarter _webPayments;
    private readonly UnfinishedSales _unfinished;
    private readonly SaleQuoter _quotes;
    private readonly SaleRefunds _refunds;

    // The parts are built here rather than registered one by one: they share one logger category (SaleService's),
    // and the web-payment settler's start time is this host's.
    public SaleService(
        SaleStore store,
        PaymentProcessor payments,
        PaymentJournal journal,
        ITicketService tickets,
        ISalePricer pricer,
        IPluginCatalog plugins,
        RecentTaps taps,
        IOptions<SalesOptions> options,
        IOptionsMonitor<List<PointOfSaleOptions>> pointsOfSale,
        TimeProvider time,
        ILogger<SaleService> logger,
        CrashPoints? crashPoints = null,
        TerminalPayments? terminals = null)
    {
        var channels = new ChannelInvoker(plugins, options);
        _transitions = new SaleTransitions(store, time);
        var settler = new WebPaymentSettler(_transitions, journal, channels, options, time, logger);
        var continuation = new SaleContinuation(store, _transitions, payments, journal, tickets, channels, settler, terminals, time, logger, crashPoints);
        _editor = new SaleEditor(store, _transitions, pricer, channels, taps, options, pointsOfSale, time, logger);
        _checkout = new SaleCheckout(store, _transitions, pricer, continuation, pointsOfSale, time);
        _webPayments = new WebPaymentStarter(store, _transitions, journal, pricer, channels, time, logger);
        _unfinished = new UnfinishedSales(store, _transitions, payments, continuation, terminals, logger);
        _quotes = new SaleQuoter(_transitions, pricer, pointsOfSale);
        _refunds = new SaleRefunds(store, _transitions, payments, journal, terminals, tickets, pointsOfSale, time, logger, crashPoints);
    }

    public Task<Sale> OpenAsync(PointOfSaleId pointOfSale, Guid requestId, CancellationToken cancellationToken) =>
        _editor.OpenAsync(pointOfSale, requestId, cancellationToken);

    public Task<Sale> GetAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken) =>
        _transitions.GetAsync(pointOfSale, saleId, cancellationToken);

    /// <summary>Replaces the basket (and the distribution type) and prices it for the current customer.</summary>
    public Task<Sale> SetBasketAsync(PointOfSaleId pointOfSale, string saleId, Basket basket, int distribution, CancellationToken cancellationToken) =>
        _editor.SetBasketAsync(pointOfSale, saleId, basket, distribution, cancellationToken);

    /// <summary>Sets the profile of a customer who does not identify with Izly (e.g. a guest paying by CB).</summary>
    public Task<Sale> SetProfileAsync(PointOfSaleId pointOfSale, string saleId, int codeSociete, int codeTarif, CancellationToken cancellationToken) =>
        _editor.SetProfileAsync(pointOfSale, saleId, codeSociete, codeTarif, cancellationToken);

    /// <summary>Identifies the customer by the card last read on one of the point of sale's readers.</summary>
    public Task<Sale> IdentifyByCardAsync(PointOfSaleId pointOfSale, string saleId, string? readerName, CancellationToken cancellationToken) =>
        _editor.IdentifyByCardAsync(pointOfSale, saleId, readerName, cancellationToken);

    /// <summary>Identifies the customer by the text of an Izly QR code scanned by the till.</summary>
    public Task<Sale> IdentifyByQrCodeAsync(PointOfSaleId pointOfSale, string saleId, string scannedText, CancellationToken cancellationToken) =>
        _editor.IdentifyByQrCodeAsync(pointOfSale, saleId, scannedText, cancellationToken);

    /// <summary>
    /// Pays the whole sale (a ticket has exactly one payment): <c>izly</c> debits the identified customer's account,
    /// <c>cb</c> takes the amount on the point of sale's payment terminal when it has one configured, and otherwise
    /// records a payment taken by the till's own card terminal. A balance too low for the basket is refused
    /// with the balance, so the cashier can take the whole sale by CB instead.
    /// </summary>
    public Task<PayOutcome> PayAsync(PointOfSaleId pointOfSale, string saleId, Guid requestId, string method, CancellationToken cancellationToken) =>
        _checkout.PayAsync(pointOfSale, saleId, requestId, method, null, cancellationToken);

    /// <summary>Like <see cref="PayAsync(PointOfSaleId, string, Guid, string, CancellationToken)"/>, refusing (1412, the
    /// sale stays open) when <paramref name="amount"/>, the total the till charged or expects, is not the sale's total for
    /// <paramref name="method"/>.</summary>
    public Task<PayOutcome> PayAsync(PointOfSaleId pointOfSale, string saleId, Guid requestId, string method, decimal? amount, CancellationToken cancellationToken) =>
        _checkout.PayAsync(pointOfSale, saleId, requestId, method, amount, cancellationToken);

    /// <summary>The sale's exact total for each payment method, before any payment (a CB profile's VAT or a site's CB
    /// rule may change it), and the terminal a CB payment would be asked of.</summary>
    public Task<SaleQuote> QuoteAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken) =>
        _quotes.QuoteAsync(pointOfSale, saleId, cancellationToken);

    /// <summary>Abandons an open sale (nothing was paid).</summary>
    public Task<Sale> CancelAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken) =>
        _editor.CancelAsync(pointOfSale, saleId, cancellationToken);

    /// <summary>Starts an IzlyPay web payment for the sale's total; the till shows the returned page (or a QR code of it).</summary>
    public Task<(Sale Sale, Uri PaymentUrl)> StartWebPaymentAsync(PointOfSaleId pointOfSale, string saleId, Guid requestId, Uri? redirectUrl, CancellationToken cancellationToken) =>
        _webPayments.StartAsync(pointOfSale, saleId, requestId, redirectUrl, cancellationToken);

    /// <summary>Asks Izly where a sale's payment stands and finishes the sale when it can (ticket included).</summary>
    public Task<Sale> RefreshAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken) =>
        _checkout.RefreshAsync(pointOfSale, saleId, cancellationToken);

    /// <summary>Finishes every sale a crash or a lost answer left unfinished (refunds included: their refund tickets).
    /// Returns how many reached Committed or Refunded.</summary>
    public async Task<int> CompleteUnfinishedAsync(CancellationToken cancellationToken) =>
        await _unfinished.CompleteUnfinishedAsync(cancellationToken).ConfigureAwait(false)
        + await _refunds.CompleteRefundingAsync(cancellationToken).ConfigureAwait(false);

    /// <summary><c>payment.cancel</c>: refunds a payment and, for a sale whose ticket is committed, commits its refund
    /// ticket (RB) before answering; a CB payment the till declared is declared refunded (<paramref name="declaredBy"/>).</summary>
    public Task<RefundOutcome> RefundAsync(PointOfSaleId pointOfSale, Guid paymentRequestId, string declaredBy, CancellationToken cancellationToken) =>
        _refunds.RefundAsync(pointOfSale, paymentRequestId, declaredBy, cancellationToken);

    /// <summary>After an operator settled a terminal refund by hand: the sale's refund ticket, or the sale Committed again.</summary>
    public Task<Sale?> SettleRefundAfterResolveAsync(PaymentRecord record, CancellationToken cancellationToken) =>
        _refunds.SettleAfterResolveAsync(record, cancellationToken);

    /// <summary>
    /// Replays the ticket of a PaidNoTicket sale after its cause was fixed (mapping script, reference data, numbering
    /// floor): the sale goes back to Paid and its ticket is committed now. If it is refused again, it is PaidNoTicket
    /// again with the new reason. Idempotent: a Committed sale answers as it is.
    /// </summary>
    public Task<PayOutcome> RetryTicketAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken) =>
        _unfinished.RetryTicketAsync(pointOfSale, saleId, cancellationToken);

    /// <summary>Paid sales whose ticket was refused, oldest first (all points of sale).</summary>
    public Task<IReadOnlyList<Sale>> ListPaidNoTicketAsync(int limit, CancellationToken cancellationToken) =>
        _unfinished.ListPaidNoTicketAsync(limit, cancellationToken);
}
