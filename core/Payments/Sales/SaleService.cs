using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Payments.Chaos;
using Middleware.Payments.Customers;
using Middleware.Payments.Journal;
using Middleware.PluginHost;
using Middleware.Scripting.Globals;
using Middleware.Tickets;
using Middleware.Tickets.Model;

namespace Middleware.Payments.Sales;

/// <summary>What a till hears after asking to pay.</summary>
/// <param name="Sale">The sale after the payment (Committed when all went well).</param>
/// <param name="Payment">The journal's record of the payment (null for CB).</param>
public sealed record PayOutcome(Sale Sale, PaymentRecord? Payment);

/// <summary>
/// Holds each sale from open to committed ticket: basket and customer → price (script) → debit (journal + channel
/// plugin) → ticket (outbox). Every step that takes money is durable first, and whatever a crash interrupts is finished
/// by <see cref="CompleteUnfinishedAsync"/>, never repeated.
/// </summary>
public sealed partial class SaleService(
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
    CrashPoints? crashPoints = null)
{
    private readonly SalesOptions _options = options.Value;

    // Web payments whose page this host never handed out and whose start ran in an earlier process cannot be
    // running any more: they are given up at once instead of after WebPaymentTimeout.
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    private string SoftwareVersion => _options.SoftwareVersion
        ?? typeof(SaleService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public async Task<Sale> OpenAsync(PointOfSaleId pointOfSale, Guid requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sale = new Sale
        {
            Id = Guid.NewGuid().ToString("N"),
            PointOfSale = pointOfSale.ToString(),
            OpenRequestId = requestId.ToString("D"),
            State = SaleState.Open,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await store.InsertOrGetAsync(sale, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Sale> GetAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await store.GetAsync(saleId, cancellationToken).ConfigureAwait(false);
        return sale is not null && sale.PointOfSale == pointOfSale.ToString()
            ? sale
            : throw new MiddlewareException(ErrorCode.SaleNotFound, $"No sale {saleId} at point of sale {pointOfSale}.");
    }

    /// <summary>Replaces the basket (and the distribution type) and prices it for the current customer.</summary>
    public async Task<Sale> SetBasketAsync(PointOfSaleId pointOfSale, string saleId, Basket basket, int distribution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(basket);
        if (distribution is not (1 or 2))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "distribution (the ticket's idTypeDistribution) must be 1 (on site) or 2 (take-away).");
        }

        if (basket.Lines.Any(l => l.Quantity <= 0))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Every basket line needs a positive quantity.");
        }

        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return await RepriceAndSaveAsync(sale with { Basket = basket, Distribution = distribution }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the profile of a customer who does not identify with Izly (e.g. a guest paying by CB).</summary>
    public async Task<Sale> SetProfileAsync(PointOfSaleId pointOfSale, string saleId, int codeSociete, int codeTarif, CancellationToken cancellationToken)
    {
        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var profile = new CustomerProfile { CodeSociete = codeSociete, CodeTarif = codeTarif };
        return await RepriceAndSaveAsync(sale with { AnonymousProfile = profile, Identification = null }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Identifies the customer by the card last read on one of the point of sale's readers.</summary>
    public async Task<Sale> IdentifyByCardAsync(PointOfSaleId pointOfSale, string saleId, string? readerName, CancellationToken cancellationToken)
    {
        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var readers = ReadersOf(pointOfSale);
        if (readerName is not null)
        {
            readers = readers.Contains(readerName, StringComparer.Ordinal)
                ? [readerName]
                : throw new MiddlewareException(ErrorCode.UnknownReader, $"Reader '{readerName}' is not configured for {pointOfSale}.");
        }

        var tap = taps.Latest(readers, time.GetUtcNow(), _options.TapValidity)
            ?? throw new MiddlewareException(ErrorCode.NoCard, "No card was read on this till's readers recently.");
        var medium = new CardMedium(tap.Card);
        var holder = await IdentifyAsync(pointOfSale, medium, cancellationToken).ConfigureAwait(false);
        taps.Consume(tap);
        var identification = new SaleIdentification
        {
            Channel = medium.Channel,
            Holder = holder,
            Card = tap.Card,
            Customer = AccountRules.ToView(holder, medium.Channel),
            Profile = AccountRules.ToProfile(holder),
        };
        return await RepriceAndSaveAsync(sale with { Identification = identification }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Identifies the customer by the text of an Izly QR code scanned by the till.</summary>
    public async Task<Sale> IdentifyByQrCodeAsync(PointOfSaleId pointOfSale, string saleId, string scannedText, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(scannedText))
        {
            throw new MiddlewareException(ErrorCode.QrCodeInvalid, "Empty QR code.");
        }

        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var medium = new QrMedium(scannedText.Trim());
        var holder = await IdentifyAsync(pointOfSale, medium, cancellationToken).ConfigureAwait(false);
        var identification = new SaleIdentification
        {
            Channel = medium.Channel,
            Holder = holder,
            QrText = medium.ScannedText,
            Customer = AccountRules.ToView(holder, medium.Channel),
            Profile = AccountRules.ToProfile(holder),
        };
        return await RepriceAndSaveAsync(sale with { Identification = identification }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pays the whole sale (a ticket has exactly one payment): <c>izly</c> debits the identified customer's account,
    /// <c>cb</c> records a payment taken by the till's own card terminal. A balance too low for the basket is refused
    /// with the balance, so the cashier can take the whole sale by CB instead.
    /// </summary>
    public async Task<PayOutcome> PayAsync(PointOfSaleId pointOfSale, string saleId, Guid requestId, string method, CancellationToken cancellationToken)
    {
        var sale = await GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var rid = requestId.ToString("D");
        if (sale.PaymentRequestId == rid && sale.State is SaleState.Paying or SaleState.Paid or SaleState.Committed or SaleState.PaidNoTicket)
        {
            // The same payment asked again (a till retrying after a timeout): continue it, never start another.
            return await ContinueAsync(sale, cancellationToken).ConfigureAwait(false);
        }

        if (sale.State != SaleState.Open)
        {
            throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}; only an open sale can be paid.");
        }

        if (sale.Basket.IsEmpty)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "The basket is empty.");
        }

        var paymentCode = method switch
        {
            "izly" => CodeReglement.Izly,
            "cb" => CodeReglement.Cb,
            _ => throw new MiddlewareException(ErrorCode.InvalidRequest, $"Unknown payment method '{method}' (izly or cb)."),
        };
        var pricing = await pricer.PriceAsync(pointOfSale, sale.Basket, sale.Profile, paymentCode, cancellationToken).ConfigureAwait(false);
        if (pricing.TotalTtc <= 0 && method == "izly")
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Nothing to debit: the sale's total is not positive.");
        }

        if (method == "izly")
        {
            var identification = sale.Identification
                ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "An Izly payment needs an identified customer (card or QR code).");
            if (identification.Customer.Balance < pricing.TotalTtc)
            {
                throw new MiddlewareException(ErrorCode.InsufficientBalance,
                    $"Balance {identification.Customer.Balance} is below the total {pricing.TotalTtc}.",
                    new { balance = identification.Customer.Balance, total = pricing.TotalTtc });
            }
        }

        var paying = sale with
        {
            State = SaleState.Paying,
            Pricing = pricing,
            PaymentMethod = method,
            PaymentRequestId = rid,
            UpdatedAt = time.GetUtcNow(),
        };
        var stored = await store.TryUpdateAsync(paying, SaleState.Open, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The sale changed while being paid; ask its status.");
        return await ContinueAsync(stored, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Abandons an open sale (nothing was paid).</summary>
    public async Task<Sale> CancelAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        if (sale.State == SaleState.Cancelled)
        {
            return sale;
        }

        var cancelled = sale with { State = SaleState.Cancelled, UpdatedAt = time.GetUtcNow() };
        return sale.State == SaleState.Open && await store.TryUpdateAsync(cancelled, SaleState.Open, cancellationToken).ConfigureAwait(false) is { } done
            ? done
            : throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"A {sale.State} sale cannot be cancelled; cancel its payment instead.");
    }

    /// <summary>Starts an IzlyPay web payment for the sale's total; the till shows the returned page (or a QR code of it).</summary>
    public async Task<(Sale Sale, Uri PaymentUrl)> StartWebPaymentAsync(PointOfSaleId pointOfSale, string saleId, Guid requestId, Uri? redirectUrl, CancellationToken cancellationToken)
    {
        var sale = await GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var rid = requestId.ToString("D");
        if (sale.State != SaleState.Open && sale.PaymentRequestId != rid)
        {
            throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}; only an open sale can be paid.");
        }

        var pricing = sale.Pricing ?? await pricer.PriceAsync(pointOfSale, sale.Basket, sale.Profile, CodeReglement.Izly, cancellationToken).ConfigureAwait(false);
        if (sale.Basket.IsEmpty || pricing.TotalTtc <= 0)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Nothing to pay: the basket is empty.");
        }

        var (record, _) = await journal.RecordIntentAsync(pointOfSale.ToString(), requestId, sale.Id, "izlypay", pricing.TotalTtc, null, cancellationToken).ConfigureAwait(false);
        var paying = sale with { State = SaleState.Paying, Pricing = pricing, PaymentMethod = "izlypay", PaymentRequestId = rid, UpdatedAt = time.GetUtcNow() };
        if (sale.State == SaleState.Open)
        {
            paying = await store.TryUpdateAsync(paying, SaleState.Open, cancellationToken).ConfigureAwait(false)
                ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The sale changed while being paid; ask its status.");
        }

        await journal.MarkAttemptAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false);
        WebPaymentStarted started;
        try
        {
            started = await InvokeChannelAsync<IWebPaymentChannelPlugin, WebPaymentStarted>("izlypay",
                (p, ct) => p.StartAsync(pointOfSale.ToString(), record.ClientOrderId, pricing.TotalTtc, $"Crous {pointOfSale}", null, redirectUrl, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The till gets no page to show: nobody can confirm this payment, even if Izly created it before the answer
            // was lost. Refused now, the sale is Open again and the cashier takes it another way.
            await GiveUpUnstartedWebPaymentAsync(paying, record, ex.Message).ConfigureAwait(false);
            throw;
        }

        // The operation id must reach the sale, or nobody could verify the payment: a concurrent write (the background
        // pass, a retry of this call) only means trying again on the newer version.
        var current = paying;
        for (var attempt = 1; ; attempt++)
        {
            var withOperation = current with { WebOperationId = started.OperationId, UpdatedAt = time.GetUtcNow() };
            if (await store.TryUpdateAsync(withOperation, SaleState.Paying, cancellationToken).ConfigureAwait(false) is { } written)
            {
                return (written, started.PaymentUrl);
            }

            current = await store.GetAsync(sale.Id, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("A paying sale vanished.");
            if (current.PaymentRequestId != rid || current.State != SaleState.Paying || current.WebOperationId == started.OperationId || attempt >= 5)
            {
                return (current, started.PaymentUrl);
            }
        }
    }

    /// <summary>Asks Izly where a sale's payment stands and finishes the sale when it can (ticket included).</summary>
    public async Task<Sale> RefreshAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return sale.State is SaleState.Paying or SaleState.Paid
            ? (await ContinueAsync(sale, cancellationToken).ConfigureAwait(false)).Sale
            : sale;
    }

    /// <summary>Finishes every sale a crash or a lost answer left unfinished. Returns how many reached Committed.</summary>
    public async Task<int> CompleteUnfinishedAsync(CancellationToken cancellationToken)
    {
        await payments.RecoverOpenAsync(cancellationToken).ConfigureAwait(false);
        var committed = 0;
        foreach (var sale in await store.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var outcome = await ContinueAsync(sale, cancellationToken).ConfigureAwait(false);
                if (outcome.Sale.State == SaleState.Committed)
                {
                    committed++;
                }
            }
            catch (MiddlewareException ex) when (ex.Code == ErrorCode.PaidNoTicket)
            {
                // Parked with its alert already logged: an operator replays it.
            }
            catch (MiddlewareException ex) when ((int)ex.Code is >= 1300 and < 1500)
            {
                // Customer and payment outcomes (1300-1499): still unknown; refused by Izly (the sale went back to Open);
                // or the till's own call moved the sale meanwhile (SaleStateInvalid). Nothing more to do in this pass.
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogCompletionFailed(logger, ex, sale.Id);
            }
        }

        return committed;
    }

    // Moves a Paying/Paid sale as far as it can go. The till's call, its retry on another connection, payment.resolve and
    // the background pass may all push the same sale at once: the one that loses a state change goes on from where the
    // winner left the sale (every step is idempotent) instead of failing the till's call.
    private async Task<PayOutcome> ContinueAsync(Sale sale, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ContinueOnceAsync(sale, cancellationToken).ConfigureAwait(false);
            }
            catch (MiddlewareException ex) when (ex.Code == ErrorCode.SaleStateInvalid && attempt < 5)
            {
                var now = await store.GetAsync(sale.Id, cancellationToken).ConfigureAwait(false);
                if (now is null || now.PaymentRequestId != sale.PaymentRequestId || now.State is not (SaleState.Paying or SaleState.Paid or SaleState.Committed))
                {
                    throw;
                }

                sale = now;
            }
        }
    }

    // One pass: debit (or its recovery), then the ticket.
    private async Task<PayOutcome> ContinueOnceAsync(Sale sale, CancellationToken cancellationToken)
    {
        var pointOfSale = PointOfSaleId.Parse(sale.PointOfSale);
        PaymentRecord? payment = null;
        if (sale.State == SaleState.Paying)
        {
            if (sale.PaymentMethod == "cb")
            {
                sale = await MoveAsync(sale, SaleState.Paying, s => s with { State = SaleState.Paid }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (sale.PaymentMethod == "izlypay")
                {
                    // Settling may have stored the customer's code on the sale: go on from that version, not the old one.
                    (sale, payment) = await SettleWebPaymentAsync(sale, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    payment = await DebitAsync(sale, cancellationToken).ConfigureAwait(false);
                }

                switch (payment.State)
                {
                    case PaymentState.Approved:
                        crashPoints?.Hit(CrashPoints.AfterDebitJournaled);
                        sale = await MoveAsync(sale, SaleState.Paying, s => s with { State = SaleState.Paid }, cancellationToken).ConfigureAwait(false);
                        break;
                    case PaymentState.Refused or PaymentState.Cancelled:
                        await MoveAsync(sale, SaleState.Paying, s => s with { State = SaleState.Open, PaymentRequestId = null, PaymentMethod = null, WebOperationId = null }, cancellationToken).ConfigureAwait(false);
                        var code = payment.ErrorCode is { } c ? (ErrorCode)c : ErrorCode.PaymentRefused;
                        // Izly's refusal for balance carries the balance: the cashier shows it and offers CB, as when the
                        // middleware refuses before calling Izly.
                        throw new MiddlewareException(code, payment.ErrorDetail ?? "Payment refused.", code == ErrorCode.InsufficientBalance
                            ? (object)new { requestId = payment.RequestId, balance = payment.BalanceAfter, total = payment.Amount }
                            : new { requestId = payment.RequestId });
                    default:
                        if (sale.PaymentMethod == "izlypay")
                        {
                            return new PayOutcome(sale, payment); // The customer has not confirmed yet.
                        }

                        throw new MiddlewareException(ErrorCode.PaymentOutcomeUnknown, payment.ErrorDetail ?? "Outcome unknown.",
                            new { requestId = payment.RequestId, saleId = sale.Id });
                }
            }
        }

        if (sale.State == SaleState.PaidNoTicket)
        {
            payment ??= sale.PaymentMethod == "cb" ? null : await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false);
            throw PaidNoTicketError(sale, payment);
        }

        if (sale.State == SaleState.Paid)
        {
            payment ??= sale.PaymentMethod == "cb" ? null : await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false);
            crashPoints?.Hit(CrashPoints.BeforeTicketCommit);
            TicketReceipt receipt;
            try
            {
                receipt = await tickets.CommitAsync(pointOfSale, sale.PaymentRequestId!, ToTicketSale(sale, payment), cancellationToken).ConfigureAwait(false);
            }
            catch (MiddlewareException ex) when (IsPermanentTicketRefusal(ex.Code))
            {
                // The money is taken and this ticket cannot be built as things stand: park the sale where an operator
                // sees it, instead of retrying the same refusal at every recovery pass.
                var refused = await MoveAsync(sale, SaleState.Paid, s => s with { State = SaleState.PaidNoTicket, LastError = ex.Message, LastErrorCode = (int)ex.Code }, cancellationToken).ConfigureAwait(false);
                LogPaidNoTicket(logger, refused.Id, refused.PointOfSale, (int)ex.Code, ex.Message);
                throw PaidNoTicketError(refused, payment);
            }

            sale = await MoveAsync(sale, SaleState.Paid, s => s with { State = SaleState.Committed, Ticket = receipt, LastError = null, LastErrorCode = null }, cancellationToken).ConfigureAwait(false);
        }
        else if (sale.State == SaleState.Committed && sale.PaymentMethod != "cb")
        {
            payment ??= await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false);
        }

        return new PayOutcome(sale, payment);
    }

    /// <summary>
    /// Replays the ticket of a PaidNoTicket sale after its cause was fixed (mapping script, reference data, numbering
    /// floor): the sale goes back to Paid and its ticket is committed now. If it is refused again, it is PaidNoTicket
    /// again with the new reason. Idempotent: a Committed sale answers as it is.
    /// </summary>
    public async Task<PayOutcome> RetryTicketAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        if (sale.State == SaleState.PaidNoTicket)
        {
            sale = await MoveAsync(sale, SaleState.PaidNoTicket, s => s with { State = SaleState.Paid }, cancellationToken).ConfigureAwait(false);
            LogTicketRetried(logger, sale.Id, sale.PointOfSale);
        }

        return sale.State is SaleState.Paid or SaleState.Committed
            ? await ContinueAsync(sale, cancellationToken).ConfigureAwait(false)
            : throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}: only a paid sale without its ticket can be replayed.");
    }

    /// <summary>Paid sales whose ticket was refused, oldest first (all points of sale).</summary>
    public Task<IReadOnlyList<Sale>> ListPaidNoTicketAsync(int limit, CancellationToken cancellationToken) =>
        store.ListByStateAsync(SaleState.PaidNoTicket, limit, cancellationToken);

    // Refusals that the same ticket would meet again: the mapping or the validation of the sale as it is, or a numbering
    // that cannot start. Everything else (store busy, reference data not loaded yet, VEM unreachable) is retried.
    private static bool IsPermanentTicketRefusal(ErrorCode code) =>
        code is ErrorCode.TicketInvalid or ErrorCode.ScriptFaulted or ErrorCode.ScriptNotFound or ErrorCode.NumberingOriginUnknown
            or ErrorCode.UnknownPointOfSale or ErrorCode.InvalidRequest;

    private static MiddlewareException PaidNoTicketError(Sale sale, PaymentRecord? payment) => new(ErrorCode.PaidNoTicket,
        $"The sale is paid but its ticket was refused ({sale.LastErrorCode}: {sale.LastError}). Do not take the payment again: support replays the ticket once the cause is fixed.",
        new { saleId = sale.Id, state = nameof(SaleState.PaidNoTicket), cause = sale.LastErrorCode, reason = sale.LastError, idTransactionIzly = payment?.IdTransactionIzly });

    private Task<PaymentRecord> DebitAsync(Sale sale, CancellationToken cancellationToken)
    {
        var identification = sale.Identification ?? throw new InvalidOperationException("A paying Izly sale lost its customer.");
        PaymentMedium medium = identification.Card is { } card ? new CardMedium(card) : new QrMedium(identification.QrText!);
        var command = new PaymentCommand(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), sale.Id, sale.Pricing!.TotalTtc, medium, null);
        return payments.DebitAsync(command,
            (request, ct) => InvokeChannelAsync<IPaymentChannelPlugin, DebitResult>(medium.Channel, (p, c) => p.DebitAsync(request, c), ct, payments.DebitTimeout),
            cancellationToken);
    }

    private async Task<(Sale Sale, PaymentRecord Payment)> SettleWebPaymentAsync(Sale sale, CancellationToken cancellationToken)
    {
        var record = await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A web payment has no journal record.");
        if (record.IsFinal)
        {
            return (sale, record);
        }

        if (sale.WebOperationId is null)
        {
            // Izly's page was never handed out (a crash or a failure while starting it): nobody can confirm it, but an
            // izlypay.start still running must not be cut short, so it is given up only after the web-payment timeout,
            // or at once when the start ran in an earlier process (this host restarted since: it cannot be running).
            if (time.GetUtcNow() - record.CreatedAt > _options.WebPaymentTimeout || (record.LastAttemptAt ?? record.CreatedAt) < _startedAt)
            {
                LogWebPaymentGivenUp(logger, record.ClientOrderId, sale.Id, "never started");
                await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "The web payment was never started at Izly.", cancellationToken).ConfigureAwait(false);
                return (sale, await journal.GetByClientOrderIdAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false) ?? record);
            }

            return (sale, record);
        }

        WebPaymentState state;
        try
        {
            state = await InvokeChannelAsync<IWebPaymentChannelPlugin, WebPaymentState>("izlypay",
                (p, ct) => p.GetStateAsync(sale.PointOfSale, sale.WebOperationId, record.ClientOrderId, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (MiddlewareException ex) when (ex.Code is ErrorCode.UpstreamUnavailable or ErrorCode.PluginTimeout)
        {
            return (sale, record);
        }

        if (state.Status == IzlyOperationStatus.Completed)
        {
            // The customer's code goes on the sale before the journal says approved: the ticket needs it (§4, IzlyPay).
            if (state.ClientCode is not null && sale.Identification is null && sale.Profile.CodeClient != state.ClientCode)
            {
                sale = await MoveAsync(sale, SaleState.Paying, s => s with { AnonymousProfile = s.Profile with { CodeClient = state.ClientCode } }, cancellationToken).ConfigureAwait(false);
            }

            // IzlyPay does not tell the balance after the payment: none is recorded rather than a false 0.
            await journal.ApproveAsync(record.ClientOrderId, state.OperationId, null, cancellationToken).ConfigureAwait(false);
        }
        else if (state.Status is IzlyOperationStatus.Refused or IzlyOperationStatus.Cancelled || state.Error is not null)
        {
            await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, state.Error ?? $"IzlyPay status {state.Status}.", cancellationToken).ConfigureAwait(false);
        }
        else if (time.GetUtcNow() - record.CreatedAt > _options.WebPaymentTimeout)
        {
            // Only the verification call decides while the customer may still confirm; past the timeout (and with
            // the operation still not final just now) the sale is given back to the till, and it is logged for support.
            LogWebPaymentGivenUp(logger, record.ClientOrderId, sale.Id, $"status {state.Status} after {_options.WebPaymentTimeout}");
            await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "The customer did not confirm the web payment in time.", cancellationToken).ConfigureAwait(false);
        }

        return (sale, await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false) ?? record);
    }

    private TicketSale ToTicketSale(Sale sale, PaymentRecord? payment)
    {
        var pricing = sale.Pricing ?? throw new InvalidOperationException("A paid sale has no pricing.");
        var holder = sale.Identification?.Holder;
        var card = sale.Identification?.Card;
        var earned = pricing.LoyaltyPoints;
        var salePayment = sale.PaymentMethod switch
        {
            "cb" => new SalePayment { CodeReglement = CodeReglement.Cb },
            "izlypay" => new SalePayment { CodeReglement = CodeReglement.Izly, IdTransactionIzly = payment?.IdTransactionIzly },
            _ => new SalePayment
            {
                CodeReglement = CodeReglement.Izly,
                IdTransactionIzly = payment?.IdTransactionIzly,
                IdSupport = card?.IdSupport,
                NumeroApplicatif = card?.NumeroApplicatif,
                QrCode = sale.Identification?.QrText is { } qr ? Convert.ToBase64String(Encoding.UTF8.GetBytes(qr)) : null,
            },
        };
        var profile = sale.Profile;
        return new TicketSale
        {
            Lines = pricing.Lines.Select(l => new SaleLine
            {
                CodeArticle = l.CodeArticle,
                Quantity = l.Quantity,
                UnitPriceTtc = l.UnitPriceTtc,
                Label = l.Label,
                LoyaltyGain = l.LoyaltyPoints,
                Kind = l.Kind switch
                {
                    LineKind.EntryFee => SaleLineKind.EntryFee,
                    LineKind.Subsidy => SaleLineKind.Subsidy,
                    _ => SaleLineKind.Article,
                },
            }).ToList(),
            Payment = salePayment,
            Customer = new SaleCustomer
            {
                CodeClient = holder?.Identifier ?? profile.CodeClient,
                Name = holder is null ? null : $"{holder.FirstName} {holder.LastName}".Trim(),
                BalanceAfter = sale.PaymentMethod == "izly" ? payment?.BalanceAfter : null,
                ValidUntil = holder?.DueDate,
                CodeSociete = profile.CodeSociete,
                Tarif = profile.CodeTarif,
                CodeCrous = holder?.IdCrous,
                Rne = holder?.RneOrgCode,
                Email = holder?.Email,
                IdSupport = card?.IdSupport,
            },
            LoyaltyPointsEarned = earned > 0 ? earned : null,
            LoyaltyBalance = earned > 0 ? profile.LoyaltyBalance + earned : null,
            Distribution = sale.Distribution == 2 ? Distribution.TakeAway : Distribution.OnSite,
            OnlineOrder = sale.PaymentMethod == "izlypay",
        };
    }

    private async Task<RightHolder> IdentifyAsync(PointOfSaleId pointOfSale, PaymentMedium medium, CancellationToken cancellationToken)
    {
        var holder = await InvokeChannelAsync<IPaymentChannelPlugin, RightHolder>(medium.Channel,
            (p, ct) => p.IdentifyAsync(pointOfSale.ToString(), medium, ct), cancellationToken).ConfigureAwait(false);
        AccountRules.EnsureCanPay(holder, time.GetUtcNow());
        return holder;
    }

    // Calls a channel plugin through the catalog (timeouts, hot reload) and turns Izly's answers into till errors.
    // A debit passes its own budget (the payment's); other calls take the plugin host's call timeout.
    private async Task<TResult> InvokeChannelAsync<TPlugin, TResult>(string channel, Func<TPlugin, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
        where TPlugin : class, Contracts.Plugins.IPlugin
    {
        if (!_options.ChannelPlugins.TryGetValue(channel, out var pluginId))
        {
            throw new MiddlewareException(ErrorCode.PluginUnavailable, $"No plugin is configured for the {channel} channel.");
        }

        try
        {
            return timeout is { } budget
                ? await plugins.InvokeAsync(pluginId, call, budget, cancellationToken).ConfigureAwait(false)
                : await plugins.InvokeAsync(pluginId, call, cancellationToken).ConfigureAwait(false);
        }
        catch (IzlyRefusedException refused)
        {
            throw IzlyErrors.ToException(refused);
        }
        catch (IzlyUnavailableException unavailable)
        {
            throw new MiddlewareException(ErrorCode.UpstreamUnavailable, unavailable.Message, null, unavailable);
        }
    }

    private async Task<Sale> OpenSaleAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return sale.State == SaleState.Open
            ? sale
            : throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}; it can no longer change.");
    }

    private async Task<Sale> RepriceAndSaveAsync(Sale sale, CancellationToken cancellationToken)
    {
        var pricing = sale.Basket.IsEmpty
            ? null
            : await pricer.PriceAsync(PointOfSaleId.Parse(sale.PointOfSale), sale.Basket, sale.Profile, null, cancellationToken).ConfigureAwait(false);
        return await MoveAsync(sale, SaleState.Open, s => sale with { Pricing = pricing }, cancellationToken).ConfigureAwait(false);
    }

    private async Task GiveUpUnstartedWebPaymentAsync(Sale paying, PaymentRecord record, string reason)
    {
        LogWebPaymentGivenUp(logger, record.ClientOrderId, paying.Id, "start failed: " + reason);
        await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "The web payment could not be started: " + reason, CancellationToken.None).ConfigureAwait(false);
        var current = await store.GetAsync(paying.Id, CancellationToken.None).ConfigureAwait(false);
        if (current is { State: SaleState.Paying, WebOperationId: null } && current.PaymentRequestId == paying.PaymentRequestId)
        {
            // Lost to a concurrent write: the background pass finds the refused payment and reopens the sale.
            await store.TryUpdateAsync(current with { State = SaleState.Open, PaymentRequestId = null, PaymentMethod = null, UpdatedAt = time.GetUtcNow() },
                SaleState.Paying, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<Sale> MoveAsync(Sale sale, SaleState expected, Func<Sale, Sale> change, CancellationToken cancellationToken)
    {
        var next = change(sale) with { UpdatedAt = time.GetUtcNow() };
        return await store.TryUpdateAsync(next, expected, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The sale changed meanwhile; ask its status.");
    }

    private IReadOnlyList<string> ReadersOf(PointOfSaleId pointOfSale) =>
        pointsOfSale.CurrentValue.FirstOrDefault(p => PointOfSaleId.TryParse(p.Id, out var id) && id == pointOfSale)?.Readers
        ?? throw new MiddlewareException(ErrorCode.UnknownPointOfSale, $"Point of sale {pointOfSale} is not configured.");

    [LoggerMessage(LogLevel.Warning, "IzlyPay payment {ClientOrderId} of sale {SaleId} given up: {Reason}")]
    private static partial void LogWebPaymentGivenUp(ILogger logger, string clientOrderId, string saleId, string reason);

    [LoggerMessage(LogLevel.Error, "ALERT: sale {SaleId} of {PointOfSale} is paid but its ticket was refused ({Code}: {Reason}); it waits as PaidNoTicket for sale.retryTicket")]
    private static partial void LogPaidNoTicket(ILogger logger, string saleId, string pointOfSale, int code, string reason);

    [LoggerMessage(LogLevel.Warning, "Ticket of PaidNoTicket sale {SaleId} of {PointOfSale} replayed by an operator")]
    private static partial void LogTicketRetried(ILogger logger, string saleId, string pointOfSale);

    [LoggerMessage(LogLevel.Error, "Completing sale {SaleId} failed; retried at the next pass")]
    private static partial void LogCompletionFailed(ILogger logger, Exception ex, string saleId);
}
