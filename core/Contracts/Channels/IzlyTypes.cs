namespace Middleware.Contracts.Channels;

/// <summary>An Izly right holder (the customer) as the Izly API describes them. Amounts in euros.</summary>
/// <param name="Identifier">Izly's client code (<c>codeClient</c> in VEM tickets).</param>
/// <param name="FirstName">First name.</param>
/// <param name="LastName">Last name.</param>
/// <param name="Balance">Balance in euros.</param>
/// <param name="CodeSociete">The pricing profile's societe (<c>idCompanyRate</c>): 10 students, 8000 guests...</param>
/// <param name="CodeTarif">The pricing profile's tarif (<c>idRate</c>).</param>
/// <param name="DueDate">End of validity of the holder's rights, when known.</param>
/// <param name="AccountStatus">NON_CONFIRME, ACTIF, CLOTURE, CLOTURE_EN_COURS.</param>
/// <param name="BlockingStatus">NON_BLOQUE, BLOCAGE_PAR_3_MOTS_DE_PASSE_ERRONNES, MIS_EN_OPPOSITION, COMPTE_GELE.</param>
/// <param name="IdCrous">The holder's Crous.</param>
/// <param name="RneOrgCode">The holder's institution (RNE).</param>
/// <param name="Email">E-mail address.</param>
/// <param name="LoyaltyPoints">Loyalty points balance.</param>
public sealed record RightHolder(
    string Identifier,
    string FirstName,
    string LastName,
    decimal Balance,
    int CodeSociete,
    int CodeTarif,
    DateTimeOffset? DueDate,
    string AccountStatus,
    string BlockingStatus,
    int? IdCrous,
    string? RneOrgCode,
    string? Email,
    int LoyaltyPoints);

/// <summary>Izly operation statuses (S-money): -1 unknown, 0 waiting, 1 completed, 2 refunded, 3 refused,
/// 4 waiting validation, 5 cancelled.</summary>
public enum IzlyOperationStatus
{
    /// <summary>-1.</summary>
    Unknown = -1,

    /// <summary>0.</summary>
    Waiting = 0,

    /// <summary>1: the debit is done.</summary>
    Completed = 1,

    /// <summary>2.</summary>
    Refunded = 2,

    /// <summary>3.</summary>
    Refused = 3,

    /// <summary>4.</summary>
    WaitingValidation = 4,

    /// <summary>5.</summary>
    Cancelled = 5,
}

/// <summary>A debit to make. <paramref name="ClientOrderId"/> makes it idempotent at Izly: the host derives it
/// from the point of sale and the till's request id, and sends the same one again after a lost answer.</summary>
/// <param name="PointOfSale"><c>idCrous-idUg-idRu-idUd-idCaisse</c>.</param>
/// <param name="ClientOrderId">Unique per point of sale; the same id is the same debit.</param>
/// <param name="Amount">Euros, two decimals at most.</param>
/// <param name="Medium">The card or QR code that identifies the payer.</param>
public sealed record DebitRequest(string PointOfSale, string ClientOrderId, decimal Amount, PaymentMedium Medium);

/// <summary>The answer to a debit, or to a status query by client order id.</summary>
/// <param name="IdTransactionIzly">Izly's transaction id (goes into the VEM ticket).</param>
/// <param name="Status">The operation's status.</param>
/// <param name="BalanceAfter">The holder's balance after the operation, in euros.</param>
/// <param name="OperationDate">When Izly recorded it.</param>
public sealed record DebitResult(string IdTransactionIzly, IzlyOperationStatus Status, decimal BalanceAfter, DateTimeOffset OperationDate);

/// <summary>A started IzlyPay web payment.</summary>
/// <param name="OperationId">Izly's operation id: the payment's <c>idTransactionIzly</c>.</param>
/// <param name="PaymentUrl">Where the customer's browser must go to log in and confirm.</param>
public sealed record WebPaymentStarted(string OperationId, Uri PaymentUrl);

/// <summary>The verified state of a web payment (from the verification call, never from the callback alone).</summary>
/// <param name="OperationId">Izly's operation id.</param>
/// <param name="Status">The operation's status (Completed when paid).</param>
/// <param name="ClientCode">The payer's Izly client code, when known.</param>
/// <param name="Error">Izly's error, when set the payment failed.</param>
public sealed record WebPaymentState(string OperationId, IzlyOperationStatus Status, string? ClientCode, string? Error);

/// <summary>Why Izly refused an operation. Stable: mapped to cashier messages by the host.</summary>
public enum IzlyRefusal
{
    /// <summary>Unknown right holder or card (-42, 404).</summary>
    UnknownHolder,

    /// <summary>Insufficient balance (-50).</summary>
    InsufficientBalance,

    /// <summary>Account closed.</summary>
    AccountClosed,

    /// <summary>Account blocked or in opposition (-41, 423).</summary>
    AccountBlocked,

    /// <summary>Account frozen.</summary>
    AccountFrozen,

    /// <summary>Rights expired (-8).</summary>
    Expired,

    /// <summary>QR code invalid (-60).</summary>
    QrInvalid,

    /// <summary>QR code expired (-61).</summary>
    QrExpired,

    /// <summary>QR code already used (-62).</summary>
    QrAlreadyUsed,

    /// <summary>Any other refusal (the message says which).</summary>
    Other,
}

/// <summary>Izly said no. Not retried: the same request would get the same answer.</summary>
public sealed class IzlyRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IzlyRefusedException(IzlyRefusal refusal, string message, decimal? balance = null)
        : base(message)
    {
        Refusal = refusal;
        Balance = balance;
    }

    /// <summary>Creates the exception with <see cref="IzlyRefusal.Other"/>.</summary>
    public IzlyRefusedException() : this(IzlyRefusal.Other, "Refused by Izly.") { }

    /// <summary>Creates the exception with <see cref="IzlyRefusal.Other"/>.</summary>
    public IzlyRefusedException(string message) : this(IzlyRefusal.Other, message) { }

    /// <summary>Creates the exception with <see cref="IzlyRefusal.Other"/>.</summary>
    public IzlyRefusedException(string message, Exception inner) : base(message, inner) => Refusal = IzlyRefusal.Other;

    /// <summary>Why.</summary>
    public IzlyRefusal Refusal { get; }

    /// <summary>The holder's balance in euros when Izly gave it (insufficient balance).</summary>
    public decimal? Balance { get; }
}

/// <summary>Izly could not be reached or did not answer in time: the outcome of a debit is UNKNOWN and must be
/// recovered by asking its status by client order id, never by debiting again.</summary>
public sealed class IzlyUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IzlyUnavailableException() : base("Izly unavailable.") { }

    /// <summary>Creates the exception.</summary>
    public IzlyUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public IzlyUnavailableException(string message, Exception inner) : base(message, inner) { }
}
