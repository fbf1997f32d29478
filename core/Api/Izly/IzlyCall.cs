namespace Middleware.Api.Izly;

/// <summary>The Izly calls by name (metrics, traces, messages): a fixed set, so the names are made once, not per call.</summary>
internal sealed class IzlyCall
{
    public static readonly IzlyCall SearchSupport = new("searchSupport", null);
    public static readonly IzlyCall SearchQrCode = new("searchQRCode", null);
    public static readonly IzlyCall Debit = new("debit", "debit ");
    public static readonly IzlyCall ByClientOrderId = new("byClientOrderId", null);
    public static readonly IzlyCall Cancel = new("cancel", "cancel of transaction ");
    public static readonly IzlyCall WebPayment = new("web payment", null);
    public static readonly IzlyCall WebPaymentVerification = new("web payment verification", null);
    public static readonly IzlyCall OperationsList = new("operations list", null);

    private readonly string? unknownPrefix;

    private IzlyCall(string name, string? unknownPrefix)
    {
        Name = name;
        ActivityName = "izly " + name;
        this.unknownPrefix = unknownPrefix;
    }

    public string Name { get; }

    public string ActivityName { get; }

    /// <summary>How an unknown outcome names the call (e.g. <c>debit &lt;clientOrderId&gt;</c>); made only on a failure.</summary>
    public string Unknown(string id) => (unknownPrefix ?? Name + " ") + id;

    public override string ToString() => Name;
}
