using Microsoft.Extensions.Logging;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Journal;
using Middleware.Payments.Terminals;

namespace Middleware.Payments.Sales;

/// <summary>Sales left unfinished by a crash or a lost answer, and the operator's replay of a refused ticket.</summary>
internal sealed class UnfinishedSales(
    SaleStore store,
    SaleTransitions transitions,
    PaymentProcessor payments,
    SaleContinuation continuation,
    TerminalPayments? terminals,
    ILogger logger)
{
    /// <summary>Finishes every sale a crash or a lost answer left unfinished. Returns how many reached Committed.</summary>
    public async Task<int> CompleteUnfinishedAsync(CancellationToken cancellationToken)
    {
        await payments.RecoverOpenAsync(cancellationToken).ConfigureAwait(false);
        if (terminals is not null)
        {
            // Terminal payments the host stopped waiting for (it died meanwhile): Unknown, for an operator to settle.
            await terminals.MarkAbandonedAsync(cancellationToken).ConfigureAwait(false);
        }
        var committed = 0;
        foreach (var sale in await store.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (sale.State == SaleState.Paying && Guid.TryParse(sale.PaymentRequestId, out var paying) && payments.IsWorkingOn(sale.PointOfSale, paying))
            {
                continue; // the till's own call is waiting for Izly's answer: it takes the sale on from there
            }

            try
            {
                var outcome = await continuation.ContinueAsync(sale, cancellationToken).ConfigureAwait(false);
                if (outcome.Sale.State == SaleState.Committed)
                {
                    committed++;
                }
            }
            catch (MiddlewareException ex) when (ex.Code == ErrorCode.PaidNoTicket)
            {
                // Parked with its alert already logged: an operator replays it.
            }
            catch (MiddlewareException ex) when ((int)ex.Code is >= 1300 and < 1500 || ex.Code == ErrorCode.ReaderUnavailable)
            {
                // Customer and payment outcomes (1300-1499, and 1111: a terminal that was never asked): still unknown;
                // refused by Izly or the terminal (the sale went back to Open);
                // or the till's own call moved the sale meanwhile (SaleStateInvalid). Nothing more to do in this pass.
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                SaleLog.CompletionFailed(logger, ex, sale.Id);
            }
        }

        return committed;
    }

    /// <summary>
    /// Replays the ticket of a PaidNoTicket sale after its cause was fixed (mapping script, reference data, numbering
    /// floor): the sale goes back to Paid and its ticket is committed now. If it is refused again, it is PaidNoTicket
    /// again with the new reason. Idempotent: a Committed sale answers as it is.
    /// </summary>
    public async Task<PayOutcome> RetryTicketAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await transitions.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        if (sale.State == SaleState.PaidNoTicket)
        {
            sale = await transitions.MoveAsync(sale, SaleState.PaidNoTicket, s => s with { State = SaleState.Paid }, cancellationToken).ConfigureAwait(false);
            SaleLog.TicketRetried(logger, sale.Id, sale.PointOfSale);
        }

        return sale.State is SaleState.Paid or SaleState.Committed
            ? await continuation.ContinueAsync(sale, cancellationToken).ConfigureAwait(false)
            : throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}: only a paid sale without its ticket can be replayed.");
    }

    /// <summary>Paid sales whose ticket was refused, oldest first (all points of sale).</summary>
    public Task<IReadOnlyList<Sale>> ListPaidNoTicketAsync(int limit, CancellationToken cancellationToken) =>
        store.ListByStateAsync(SaleState.PaidNoTicket, limit, cancellationToken);
}
