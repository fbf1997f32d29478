using Middleware.Domain.Errors;
using Middleware.Payments.Customers;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Payments.Terminals;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Rpc;

/// <summary>A priced line as the till shows it.</summary>
public sealed record LineView(int CodeArticle, string Label, int Quantity, decimal UnitPriceTtc, int CodeTva, decimal TotalTtc, string Kind, int? LoyaltyPoints);

/// <summary>A payment as the till sees it; <c>errorMessage</c> is the French cashier message. A terminal (CB) payment
/// names its <c>terminal</c> and carries the terminal's <c>terminalReport</c> (for the card receipt); <c>resolvedBy</c>
/// names who settled it by hand from the receipt, <c>refundPending</c> says a refund's outcome is not known yet.</summary>
public sealed record PaymentView(string RequestId, string Channel, string State, decimal Amount, string? IdTransactionIzly, decimal? BalanceAfter, int? ErrorCode, string? ErrorMessage, string? Detail,
    string? Terminal = null, string? TerminalReport = null, string? ResolvedBy = null, bool RefundPending = false)
{
    /// <summary>The refund ticket (RB) VEM receives for this payment's refund (<c>payment.cancel</c>, <c>payment.resolve</c>
    /// refunded); null when there is none.</summary>
    public TicketView? RefundTicket { get; init; }

    /// <summary>A CB payment the till declared, declared refunded: there is no journal record, the sale says it all.</summary>
    public static PaymentView DeclaredRefund(Sale sale)
    {
        ArgumentNullException.ThrowIfNull(sale);
        return new(sale.PaymentRequestId ?? "", DeclaredChannel, sale.State == SaleState.Refunded ? "Cancelled" : "Approved", sale.Pricing?.TotalTtc ?? 0m,
            null, null, null, null, sale.RefundDeclaredBy is { } by ? "Refund declared by " + by : null);
    }

    /// <summary>The <c>channel</c> of a CB payment the till declared (taken on its own terminal).</summary>
    public const string DeclaredChannel = "declaredCb";

    public static PaymentView From(PaymentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.RequestId, record.Channel, record.State.ToString(), record.Amount, record.IdTransactionIzly, record.BalanceAfter,
            record.ErrorCode, record.ErrorCode is { } c ? ErrorMessages.For((ErrorCode)c) : null, record.ErrorDetail,
            TerminalPayments.IsTerminalPayment(record) ? TerminalPayments.TerminalOf(record) : null, record.TerminalReport, record.ResolvedBy,
            record.RefundRequestedAt is not null);
    }
}

/// <summary>The ticket of a committed sale.</summary>
public sealed record TicketView(string IdTicketEntete, string NumeroTicket, DateTimeOffset Date)
{
    public static TicketView? Of(Tickets.TicketReceipt? receipt) => receipt is { } t ? new TicketView(t.IdTicketEntete, t.NumeroTicket, t.Date) : null;
}

/// <summary>A sale as the till sees it (no card data beyond what the cashier may show).</summary>
public sealed record SaleView(
    string SaleId,
    string State,
    int Distribution,
    IReadOnlyList<BasketLine> Basket,
    CustomerView? Customer,
    int CodeSociete,
    int CodeTarif,
    IReadOnlyList<LineView> Lines,
    decimal TotalTtc,
    string? PaymentMethod,
    PaymentView? Payment,
    TicketView? Ticket,
    string? CardNumber,
    TicketProblemView? TicketProblem = null)
{
    /// <summary>The refund ticket (RB) of a refunded sale.</summary>
    public TicketView? RefundTicket { get; init; }

    public static SaleView From(Sale sale, PaymentRecord? payment = null)
    {
        ArgumentNullException.ThrowIfNull(sale);
        return new(sale.Id, sale.State.ToString(), sale.Distribution, sale.Basket.Lines, sale.Identification?.Customer,
            sale.Profile.CodeSociete, sale.Profile.CodeTarif, LinesOf(sale.Pricing), sale.Pricing?.TotalTtc ?? 0m, sale.PaymentMethod,
            payment is null ? null : PaymentView.From(payment),
            sale.Ticket is { } t ? new TicketView(t.IdTicketEntete, t.NumeroTicket, t.Date) : null,
            sale.Identification?.Card?.MaskedIdSupport,
            sale.State == SaleState.PaidNoTicket ? new TicketProblemView(sale.LastErrorCode, sale.LastError) : null)
        {
            RefundTicket = TicketView.Of(sale.RefundTicket),
        };
    }

    // Every answer of a sale call carries its lines: an exact-size array, no LINQ iterator nor list growth.
    private static LineView[] LinesOf(PricingResult? pricing)
    {
        if (pricing?.Lines is not { Count: > 0 } priced)
        {
            return [];
        }

        var lines = new LineView[priced.Count];
        for (var i = 0; i < lines.Length; i++)
        {
            var l = priced[i];
            lines[i] = new LineView(l.CodeArticle, l.Label, l.Quantity, l.UnitPriceTtc, l.CodeTva, l.TotalTtc, l.Kind.ToString(), l.LoyaltyPoints);
        }

        return lines;
    }
}

/// <summary>Why a paid sale has no ticket (state PaidNoTicket): the refusal's error code and message.</summary>
public sealed record TicketProblemView(int? Code, string? Reason);

/// <summary>A PaidNoTicket sale, for support (<c>sales.unticketed</c>).</summary>
public sealed record UnticketedSaleView(string SaleId, string PointOfSale, string? PaymentMethod, decimal TotalTtc, string? PaymentRequestId, int? Code, string? Reason, DateTimeOffset Since)
{
    public static UnticketedSaleView From(Sale sale)
    {
        ArgumentNullException.ThrowIfNull(sale);
        return new(sale.Id, sale.PointOfSale, sale.PaymentMethod, sale.Pricing?.TotalTtc ?? 0m, sale.PaymentRequestId, sale.LastErrorCode, sale.LastError, sale.UpdatedAt);
    }
}
