using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Payments.Terminals;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Rpc;

/// <summary>The sale and payment methods of the till protocol (core/Pipe/PROTOCOL.md §5, "Selling").</summary>
internal sealed class SaleMethods(SaleService sales, PaymentProcessor payments, PaymentJournal journal, TerminalPayments terminals) : IRpcTarget
{
    [RpcMethod("sale.open", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public async Task<SaleView> OpenAsync(Guid requestId, CancellationToken cancellationToken) =>
        SaleView.From(await sales.OpenAsync(Till.PointOfSale, requestId, cancellationToken).ConfigureAwait(false));

    [RpcMethod("sale.get")]
    public async Task<SaleView> GetAsync(string saleId, CancellationToken cancellationToken) =>
        await ViewAsync(await sales.GetAsync(Till.PointOfSale, saleId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    [RpcMethod("sale.setBasket", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public async Task<SaleView> SetBasketAsync(Guid requestId, string saleId, IReadOnlyList<BasketLine> lines, int? distribution = null, CancellationToken cancellationToken = default)
    {
        _ = requestId;
        var basket = new Basket { Lines = lines ?? throw new MiddlewareException(ErrorCode.InvalidRequest, "lines is required.") };
        // A till's JSON may hold nulls where lines or components belong: a clear refusal, not an internal error.
        if (HasNullLine(lines))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "lines and their components must be objects, not null.");
        }

        return SaleView.From(await sales.SetBasketAsync(Till.PointOfSale, saleId, basket, distribution ?? 1, cancellationToken).ConfigureAwait(false));
    }

    [RpcMethod("sale.setProfile", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public async Task<SaleView> SetProfileAsync(Guid requestId, string saleId, int codeSociete, int codeTarif, CancellationToken cancellationToken)
    {
        _ = requestId;
        return SaleView.From(await sales.SetProfileAsync(Till.PointOfSale, saleId, codeSociete, codeTarif, cancellationToken).ConfigureAwait(false));
    }

    [RpcMethod("sale.identifyCard", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public async Task<SaleView> IdentifyCardAsync(Guid requestId, string saleId, string? reader = null, CancellationToken cancellationToken = default)
    {
        _ = requestId;
        return SaleView.From(await sales.IdentifyByCardAsync(Till.PointOfSale, saleId, reader, cancellationToken).ConfigureAwait(false));
    }

    [RpcMethod("sale.identifyQr", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public async Task<SaleView> IdentifyQrAsync(Guid requestId, string saleId, string qrCode, CancellationToken cancellationToken)
    {
        _ = requestId;
        return SaleView.From(await sales.IdentifyByQrCodeAsync(Till.PointOfSale, saleId, qrCode, cancellationToken).ConfigureAwait(false));
    }

    [RpcMethod("sale.pay", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public async Task<SaleView> PayAsync(Guid requestId, string saleId, string method, decimal? amount = null, CancellationToken cancellationToken = default)
    {
        // amount: what the till charged on its own card terminal (or expects); a different total is refused (1412).
        var outcome = await sales.PayAsync(Till.PointOfSale, saleId, requestId, method, amount, cancellationToken).ConfigureAwait(false);
        return SaleView.From(outcome.Sale, outcome.Payment);
    }

    [RpcMethod("sale.refresh")]
    public async Task<SaleView> RefreshAsync(string saleId, CancellationToken cancellationToken)
    {
        Sale sale;
        try
        {
            sale = await sales.RefreshAsync(Till.PointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        }
        catch (MiddlewareException ex) when (ex.Code is ErrorCode.PaymentOutcomeUnknown)
        {
            sale = await sales.GetAsync(Till.PointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        }

        return await ViewAsync(sale, cancellationToken).ConfigureAwait(false);
    }

    [RpcMethod("sale.cancel", Mutating = true, Durability = AnswerDurability.ProcessCrash)]
    public async Task<SaleView> CancelAsync(Guid requestId, string saleId, CancellationToken cancellationToken)
    {
        _ = requestId;
        return SaleView.From(await sales.CancelAsync(Till.PointOfSale, saleId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Operator: replays the ticket of a PaidNoTicket sale once its cause is fixed.</summary>
    [RpcMethod("sale.retryTicket", Mutating = true, Operator = true)]
    public async Task<SaleView> RetryTicketAsync(Guid requestId, string saleId, CancellationToken cancellationToken)
    {
        _ = requestId;
        var outcome = await sales.RetryTicketAsync(Till.PointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return SaleView.From(outcome.Sale, outcome.Payment);
    }

    /// <summary>Operator: the paid sales whose ticket was refused (PaidNoTicket), every point of sale, oldest first.</summary>
    [RpcMethod("sales.unticketed", Operator = true)]
    public async Task<IReadOnlyList<UnticketedSaleView>> UnticketedAsync(int? limit = null, CancellationToken cancellationToken = default) =>
        [.. (await sales.ListPaidNoTicketAsync(limit ?? 100, cancellationToken).ConfigureAwait(false)).Select(UnticketedSaleView.From)];

    [RpcMethod("izlypay.start", Mutating = true)]
    public async Task<WebPaymentView> StartWebPaymentAsync(Guid requestId, string saleId, string? redirectUrl = null, CancellationToken cancellationToken = default)
    {
        var redirect = redirectUrl is null ? null
            : Uri.TryCreate(redirectUrl, UriKind.Absolute, out var uri) ? uri
            : throw new MiddlewareException(ErrorCode.InvalidRequest, "redirectUrl must be an absolute URL.");
        var (sale, url) = await sales.StartWebPaymentAsync(Till.PointOfSale, saleId, requestId, redirect, cancellationToken).ConfigureAwait(false);
        return new WebPaymentView(sale.Id, sale.WebOperationId!, url.ToString(), sale.Pricing!.TotalTtc);
    }

    [RpcMethod("payment.status")]
    public async Task<PaymentView> PaymentStatusAsync(Guid paymentRequestId, CancellationToken cancellationToken)
    {
        var record = await journal.GetAsync(Till.PointOfSale.ToString(), paymentRequestId, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.PaymentNotFound, "No payment with this request id.");
        return PaymentView.From(record);
    }

    /// <summary>
    /// Asks Izly now for a payment whose outcome is unknown (the cashier's "check the payment" button). A terminal (CB)
    /// payment cannot be asked again: an operator reads the terminal's receipt and gives its <paramref name="outcome"/>
    /// (accepted/refused, or refunded/notRefunded for a refund), recorded as that account's decision, with the receipt's
    /// authorisation data in <paramref name="report"/> when there is one.
    /// </summary>
    [RpcMethod("payment.resolve")]
    public async Task<PaymentView> ResolveAsync(Guid paymentRequestId, string? outcome = null, string? report = null, CancellationToken cancellationToken = default)
    {
        var record = await journal.GetAsync(Till.PointOfSale.ToString(), paymentRequestId, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.PaymentNotFound, "No payment with this request id.");
        if (TerminalPayments.IsTerminalPayment(record))
        {
            if (outcome is null)
            {
                // Nothing to ask: answer where it stands (Unknown until someone reads the receipt).
                return PaymentView.From(record);
            }

            // A decision that writes a ticket (or reopens a sale) without the terminal's word: an operator's only (the
            // host's account, root, or Pipe:OperatorUsers), recorded with the account that made it.
            var till = Till;
            if (!till.IsOperator)
            {
                throw new MiddlewareException(ErrorCode.OperatorOnly,
                    "Settling a terminal payment from its receipt is an operator's decision: ask a supervisor (an account in Pipe:OperatorUsers).");
            }

            var resolved = await terminals.ResolveAsync(record, outcome, report, $"{till.Peer} via {till.TillName} on {till.PointOfSale} ({till.ConnectionId})", cancellationToken).ConfigureAwait(false);
            if (outcome is "refunded" or "notRefunded")
            {
                // The sale's refund ticket now (or the sale Committed again): the answer names the ticket.
                var settledSale = await sales.SettleRefundAfterResolveAsync(resolved, cancellationToken).ConfigureAwait(false);
                return PaymentView.From(resolved) with { RefundTicket = TicketView.Of(settledSale?.RefundTicket) };
            }

            if (resolved.SaleId is { } terminalSaleId && resolved.IsFinal)
            {
                try
                {
                    await RefreshAsync(terminalSaleId, cancellationToken).ConfigureAwait(false);
                }
                catch (MiddlewareException ex) when (resolved.State == PaymentState.Refused && ex.Code == (ErrorCode)(resolved.ErrorCode ?? 0))
                {
                    // The refusal the cashier read on the receipt: the sale is Open again, and the answer is the payment.
                }
            }

            return PaymentView.From(resolved);
        }

        if (outcome is not null)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Only a terminal (CB) payment is settled by hand; an Izly payment's outcome is asked of Izly (no outcome).");
        }

        if (PaymentProcessor.IsWebPayment(record))
        {
            // IzlyPay: Izly's debit search by order id does not know web payments; the sale's verification call (the
            // same as sale.refresh) settles it and commits the ticket when paid. A refusal answers its error (1401).
            if (!record.IsFinal && record.SaleId is { } webSaleId)
            {
                await sales.RefreshAsync(Till.PointOfSale, webSaleId, cancellationToken).ConfigureAwait(false);
            }

            var after = await journal.GetAsync(Till.PointOfSale.ToString(), paymentRequestId, cancellationToken).ConfigureAwait(false) ?? record;
            return PaymentView.From(after);
        }

        var settled = await payments.RecoverAsync(record, cancellationToken).ConfigureAwait(false);
        if (settled.SaleId is { } saleId && settled.IsFinal)
        {
            await RefreshAsync(saleId, cancellationToken).ConfigureAwait(false);
        }

        return PaymentView.From(settled);
    }

    /// <summary>
    /// Refunds a payment the same day: Izly's cancel, a credit on the terminal that took a CB payment, or, for a CB
    /// payment the till declared (no terminal of the host), the till's declaration that it refunded it on its own
    /// terminal. A sale's refund reaches VEM as a refund ticket (RB), committed before this answers (<c>refundTicket</c>).
    /// </summary>
    [RpcMethod("payment.cancel", Mutating = true)]
    public async Task<PaymentView> CancelPaymentAsync(Guid requestId, Guid paymentRequestId, CancellationToken cancellationToken)
    {
        _ = requestId;
        var till = Till;
        var outcome = await sales.RefundAsync(till.PointOfSale, paymentRequestId, $"{till.Peer} via {till.TillName} on {till.PointOfSale} ({till.ConnectionId})", cancellationToken).ConfigureAwait(false);
        var view = outcome.Payment is { } record ? PaymentView.From(record) : PaymentView.DeclaredRefund(outcome.Sale!);
        return view with { RefundTicket = TicketView.Of(outcome.RefundTicket) };
    }

    private async Task<SaleView> ViewAsync(Sale sale, CancellationToken cancellationToken)
    {
        var payment = sale.HasJournaledPayment
            ? await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false)
            : null;
        return SaleView.From(sale, payment);
    }

    private static TillContext Till => TillContext.Required;

    // Loops, not LINQ: checked at every sale.setBasket, and a line's components are rarely more than a few.
    private static bool HasNullLine(IReadOnlyList<BasketLine> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line?.Components is not { } components)
            {
                return true;
            }

            for (var j = 0; j < components.Count; j++)
            {
                if (components[j]?.Components is null)
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>A started web payment: the till shows <c>paymentUrl</c> (or a QR code of it) to the customer.</summary>
public sealed record WebPaymentView(string SaleId, string OperationId, string PaymentUrl, decimal Amount);
