namespace Middleware.Domain.Errors;

/// <summary>
/// Stable numeric error codes of the till protocol. Never renumber: tills switch on them.
/// Ranges: 1000 protocol, 1100 plugins and readers, 1200 cards, 1300 customers, 1400 payments,
/// 1500 tickets, 1600 scripts, 1700 reference data and upstream APIs.
/// The French cashier message of each code is in <see cref="ErrorMessages"/>.
/// </summary>
public enum ErrorCode
{
    // 1000: protocol
    InvalidRequest = 1000,
    UnknownPointOfSale = 1001,
    HelloRequired = 1002,
    RequestIdRequired = 1003,
    RequestIdReused = 1004,
    Busy = 1005,

    /// <summary>An operator method (plugin control, replays) called from a till's account.</summary>
    OperatorOnly = 1006,
    InternalError = 1099,

    // 1100: plugins and readers
    PluginUnavailable = 1100,
    PluginMalfunctioned = 1101,
    PluginTimeout = 1102,
    UnknownReader = 1110,
    ReaderUnavailable = 1111,

    // 1200: cards
    NotAnIzlyCard = 1200,
    CardAuthenticationFailed = 1201,
    CardRemoved = 1202,
    InvalidCardData = 1203,
    CardError = 1204,
    SamError = 1205,
    NoCard = 1206,

    // 1300: customers
    CustomerUnknown = 1300,
    AccountClosed = 1301,
    AccountBlocked = 1302,
    AccountFrozen = 1303,
    AccountExpired = 1304,
    AccountNotConfirmed = 1305,
    QrCodeInvalid = 1310,
    QrCodeExpired = 1311,
    QrCodeAlreadyUsed = 1312,

    // 1400: payments
    InsufficientBalance = 1400,
    PaymentRefused = 1401,
    PaymentOutcomeUnknown = 1402,
    PaymentNotFound = 1403,
    PaymentNotCancellable = 1404,
    PaymentNotCompleted = 1405,
    SaleNotFound = 1410,
    SaleStateInvalid = 1411,

    /// <summary>The amount the till charged (or expects) is not the sale's total for that payment method: nothing is
    /// recorded and the sale stays open.</summary>
    SaleTotalMismatch = 1412,

    // 1500: tickets
    TicketInvalid = 1500,
    TicketNotFound = 1501,

    /// <summary>The point of sale's ticket numbering cannot start: this host never numbered it and VEM cannot tell its
    /// last ticket. An operator declares a floor (<c>Tickets:NumberingFloors</c>).</summary>
    NumberingOriginUnknown = 1502,

    /// <summary>The sale is paid but its ticket could not be built (refused mapping or validation, no numbering): the
    /// sale is PaidNoTicket until an operator fixes the cause and replays it.</summary>
    PaidNoTicket = 1503,

    // 1600: scripts
    ScriptFaulted = 1600,
    ScriptNotFound = 1601,

    // 1700: reference data and upstream APIs
    ReferenceDataUnavailable = 1700,
    UpstreamUnavailable = 1701,
    UpstreamRejected = 1702,
}
