using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Customers;

/// <summary>What a till shows of an identified customer.</summary>
/// <param name="CodeClient">Izly client code.</param>
/// <param name="Name">First and last name.</param>
/// <param name="CodeSociete">Pricing profile: societe.</param>
/// <param name="CodeTarif">Pricing profile: tarif.</param>
/// <param name="Balance">Izly balance in euros.</param>
/// <param name="ValidUntil">End of the customer's rights, when known.</param>
/// <param name="LoyaltyPoints">Loyalty points balance.</param>
/// <param name="Channel">card or qr.</param>
public sealed record CustomerView(string CodeClient, string Name, int CodeSociete, int CodeTarif, decimal Balance, DateTimeOffset? ValidUntil, int LoyaltyPoints, string Channel);

/// <summary>Account checks common to every channel, so that plugins stay thin and the rules live in one place.</summary>
public static class AccountRules
{
    /// <summary>
    /// Refuses an account that cannot pay: closed, not confirmed, blocked, in opposition, frozen, or whose rights
    /// ended before <paramref name="now"/>. The exception carries the code whose French message the cashier reads.
    /// </summary>
    public static void EnsureCanPay(RightHolder holder, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(holder);
        switch (holder.AccountStatus)
        {
            case "ACTIF":
                break;
            case "CLOTURE" or "CLOTURE_EN_COURS":
                throw new MiddlewareException(ErrorCode.AccountClosed, $"Izly account status {holder.AccountStatus}.");
            case "NON_CONFIRME":
                throw new MiddlewareException(ErrorCode.AccountNotConfirmed, "Izly account not confirmed.");
            default:
                throw new MiddlewareException(ErrorCode.AccountBlocked, $"Unexpected Izly account status {holder.AccountStatus}.");
        }

        switch (holder.BlockingStatus)
        {
            case "NON_BLOQUE":
                break;
            case "COMPTE_GELE":
                throw new MiddlewareException(ErrorCode.AccountFrozen, "Izly account frozen.");
            case "MIS_EN_OPPOSITION" or "BLOCAGE_PAR_3_MOTS_DE_PASSE_ERRONNES":
                throw new MiddlewareException(ErrorCode.AccountBlocked, $"Izly account blocked: {holder.BlockingStatus}.");
            default:
                throw new MiddlewareException(ErrorCode.AccountBlocked, $"Unexpected Izly blocking status {holder.BlockingStatus}.");
        }

        if (holder.DueDate is { } due && due < now)
        {
            throw new MiddlewareException(ErrorCode.AccountExpired, $"Rights ended on {due:yyyy-MM-dd}.");
        }
    }

    public static CustomerView ToView(RightHolder holder, string channel)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(holder.Identifier, $"{holder.FirstName} {holder.LastName}".Trim(), holder.CodeSociete, holder.CodeTarif,
            holder.Balance, holder.DueDate, holder.LoyaltyPoints, channel);
    }

    /// <summary>The pricing scripts' view of the holder.</summary>
    public static CustomerProfile ToProfile(RightHolder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new CustomerProfile
        {
            CodeSociete = holder.CodeSociete,
            CodeTarif = holder.CodeTarif,
            CodeClient = holder.Identifier,
            Name = $"{holder.FirstName} {holder.LastName}".Trim(),
            ValidUntil = holder.DueDate,
            LoyaltyBalance = holder.LoyaltyPoints,
        };
    }
}
