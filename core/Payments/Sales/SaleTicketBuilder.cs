using System.Text;
using Middleware.Domain.Tickets;
using Middleware.Payments.Journal;
using Middleware.Scripting.Globals;
using Middleware.Scripting.TicketMapping;
using Middleware.Tickets.Model;

namespace Middleware.Payments.Sales;

/// <summary>Turns a paid sale (and its journal record) into the ticket sent to the Crous VEM.</summary>
internal static class SaleTicketBuilder
{
    public static TicketSale Build(Sale sale, PaymentRecord? payment)
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
            Lines = pricing.Lines.ToSaleLines(),
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
}
