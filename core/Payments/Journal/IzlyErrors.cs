using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;

namespace Middleware.Payments.Journal;

/// <summary>Maps Izly's refusals to the till protocol's stable codes.</summary>
public static class IzlyErrors
{
    public static ErrorCode ToErrorCode(IzlyRefusal refusal) => refusal switch
    {
        IzlyRefusal.UnknownHolder => ErrorCode.CustomerUnknown,
        IzlyRefusal.InsufficientBalance => ErrorCode.InsufficientBalance,
        IzlyRefusal.AccountClosed => ErrorCode.AccountClosed,
        IzlyRefusal.AccountBlocked => ErrorCode.AccountBlocked,
        IzlyRefusal.AccountFrozen => ErrorCode.AccountFrozen,
        IzlyRefusal.Expired => ErrorCode.AccountExpired,
        IzlyRefusal.QrInvalid => ErrorCode.QrCodeInvalid,
        IzlyRefusal.QrExpired => ErrorCode.QrCodeExpired,
        IzlyRefusal.QrAlreadyUsed => ErrorCode.QrCodeAlreadyUsed,
        _ => ErrorCode.PaymentRefused,
    };

    /// <summary>The exception a till sees for an Izly refusal (balance attached when Izly gave it).</summary>
    public static MiddlewareException ToException(IzlyRefusedException refused) =>
        new(ToErrorCode(refused.Refusal), refused.Message, refused.Balance is { } b ? new { balance = b } : null, refused);
}
