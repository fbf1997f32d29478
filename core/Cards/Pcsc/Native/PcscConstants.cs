namespace Middleware.Cards.Pcsc.Native;

/// <summary>PC/SC return codes (the same values on every platform, as unsigned 32-bit numbers).</summary>
internal static class PcscCode
{
    public const uint Success = 0x00000000;
    public const uint InternalError = 0x80100001;
    public const uint Cancelled = 0x80100002;
    public const uint InvalidHandle = 0x80100003;
    public const uint InvalidParameter = 0x80100004;
    public const uint NoMemory = 0x80100006;
    public const uint InsufficientBuffer = 0x80100008;
    public const uint UnknownReader = 0x80100009;
    public const uint Timeout = 0x8010000A;
    public const uint SharingViolation = 0x8010000B;
    public const uint NoSmartcard = 0x8010000C;
    public const uint UnknownCard = 0x8010000D;
    public const uint ProtoMismatch = 0x8010000F;
    public const uint NotReady = 0x80100010;
    public const uint InvalidValue = 0x80100011;
    public const uint SystemCancelled = 0x80100012;
    public const uint CommError = 0x80100013;
    public const uint UnknownError = 0x80100014;
    public const uint InvalidAtr = 0x80100015;
    public const uint NotTransacted = 0x80100016;
    public const uint ReaderUnavailable = 0x80100017;
    public const uint Shutdown = 0x80100018;
    public const uint PciTooSmall = 0x80100019;
    public const uint ReaderUnsupported = 0x8010001A;
    public const uint DuplicateReader = 0x8010001B;
    public const uint CardUnsupported = 0x8010001C;
    public const uint NoService = 0x8010001D;
    public const uint ServiceStopped = 0x8010001E;
    public const uint Unexpected = 0x8010001F;
    public const uint NoReadersAvailable = 0x8010002E;
    public const uint UnsupportedCard = 0x80100065;
    public const uint UnresponsiveCard = 0x80100066;
    public const uint UnpoweredCard = 0x80100067;
    public const uint ResetCard = 0x80100068;
    public const uint RemovedCard = 0x80100069;

    /// <summary>The symbolic name of a return code, for messages and logs.</summary>
    public static string Name(uint code) => code switch
    {
        Success => "SCARD_S_SUCCESS",
        InternalError => "SCARD_F_INTERNAL_ERROR",
        Cancelled => "SCARD_E_CANCELLED",
        InvalidHandle => "SCARD_E_INVALID_HANDLE",
        InvalidParameter => "SCARD_E_INVALID_PARAMETER",
        NoMemory => "SCARD_E_NO_MEMORY",
        InsufficientBuffer => "SCARD_E_INSUFFICIENT_BUFFER",
        UnknownReader => "SCARD_E_UNKNOWN_READER",
        Timeout => "SCARD_E_TIMEOUT",
        SharingViolation => "SCARD_E_SHARING_VIOLATION",
        NoSmartcard => "SCARD_E_NO_SMARTCARD",
        UnknownCard => "SCARD_E_UNKNOWN_CARD",
        ProtoMismatch => "SCARD_E_PROTO_MISMATCH",
        NotReady => "SCARD_E_NOT_READY",
        InvalidValue => "SCARD_E_INVALID_VALUE",
        SystemCancelled => "SCARD_E_SYSTEM_CANCELLED",
        CommError => "SCARD_F_COMM_ERROR",
        UnknownError => "SCARD_F_UNKNOWN_ERROR",
        InvalidAtr => "SCARD_E_INVALID_ATR",
        NotTransacted => "SCARD_E_NOT_TRANSACTED",
        ReaderUnavailable => "SCARD_E_READER_UNAVAILABLE",
        Shutdown => "SCARD_P_SHUTDOWN",
        PciTooSmall => "SCARD_E_PCI_TOO_SMALL",
        ReaderUnsupported => "SCARD_E_READER_UNSUPPORTED",
        DuplicateReader => "SCARD_E_DUPLICATE_READER",
        CardUnsupported => "SCARD_E_CARD_UNSUPPORTED",
        NoService => "SCARD_E_NO_SERVICE",
        ServiceStopped => "SCARD_E_SERVICE_STOPPED",
        Unexpected => "SCARD_E_UNEXPECTED",
        NoReadersAvailable => "SCARD_E_NO_READERS_AVAILABLE",
        UnsupportedCard => "SCARD_W_UNSUPPORTED_CARD",
        UnresponsiveCard => "SCARD_W_UNRESPONSIVE_CARD",
        UnpoweredCard => "SCARD_W_UNPOWERED_CARD",
        ResetCard => "SCARD_W_RESET_CARD",
        RemovedCard => "SCARD_W_REMOVED_CARD",
        _ => $"0x{code:X8}",
    };
}

/// <summary>SCARD_STATE_* flags of <c>dwCurrentState</c>/<c>dwEventState</c> (lower 16 bits; the upper 16 carry
/// pcsc-lite's event counter, or the reader count for the PnP notification reader).</summary>
[Flags]
internal enum PcscState : uint
{
    Unaware = 0x0000,
    Ignore = 0x0001,
    Changed = 0x0002,
    Unknown = 0x0004,
    Unavailable = 0x0008,
    Empty = 0x0010,
    Present = 0x0020,
    AtrMatch = 0x0040,
    Exclusive = 0x0080,
    InUse = 0x0100,
    Mute = 0x0200,
    Unpowered = 0x0400,
}

/// <summary>Constants shared by the platform bindings.</summary>
internal static class PcscConst
{
    public const uint ScopeUser = 0;
    public const uint ScopeSystem = 2;
    public const uint ShareExclusive = 1;
    public const uint ShareShared = 2;
    public const uint ProtocolT0 = 1;
    public const uint ProtocolT1 = 2;
    public const uint LeaveCard = 0;
    public const uint ResetCard = 1;
    public const uint UnpowerCard = 2;
    public const uint Infinite = 0xFFFFFFFF;

    /// <summary>The pseudo reader whose state changes when a reader is plugged or unplugged.</summary>
    public const string PnpNotification = "\\\\?PnP?\\Notification";
}
