namespace Middleware.Domain.Rpc;

/// <summary>
/// Marks a public method of an <see cref="IRpcTarget"/> as a till-protocol method named <see cref="Name"/>
/// (e.g. <c>tickets.status</c>). Parameters are bound by name from the JSON-RPC <c>params</c> object;
/// a <see cref="CancellationToken"/> parameter receives the call's cancellation. Throw
/// <see cref="Errors.MiddlewareException"/> for errors the till must see with a stable code.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RpcMethodAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>True when the method changes state: the pipe server then requires a <c>requestId</c>
    /// parameter and replays the first answer for a repeat (design.md, lesson 4).</summary>
    public bool Mutating { get; init; }

    /// <summary>How safe the stored first answer of a mutating method is when the till receives it. The default,
    /// <see cref="AnswerDurability.PowerCut"/>, suits anything that moves money or commits a ticket.</summary>
    public AnswerDurability Durability { get; init; }

    /// <summary>True for support and operations methods (plugin control, ticket replays): the pipe serves them only to
    /// an operator account (the host's own, root, or one of <c>Pipe:OperatorUsers</c>), never to a till's account.</summary>
    public bool Operator { get; init; }
}

/// <summary>How safe a mutating method's first answer (kept for replays) is at the moment the till receives it.</summary>
public enum AnswerDurability
{
    /// <summary>On disk before the answer is sent (SQLite synchronous=FULL): it survives a power cut.</summary>
    PowerCut = 0,

    /// <summary>
    /// Written, not flushed (synchronous=NORMAL): it survives a crash of the host; a power cut may lose it, and the
    /// till's retry with the same request id then runs the method again. Only for methods whose run again reaches the
    /// same outcome: either their own writes are no more durable than the answer (the edits of an open sale), or what
    /// they did is on disk and keyed by the request id, so the second run finds it instead of doing it again
    /// (<c>sale.pay</c>: the payment intent and the ticket are flushed and idempotent by request id). Flushing the
    /// answer as well would cost one more disk sync per call and promise nothing more.
    /// </summary>
    ProcessCrash = 1,
}

/// <summary>A class whose <see cref="RpcMethodAttribute"/> methods the pipe server exposes. Register it in DI as
/// <c>IRpcTarget</c>; each feature folder contributes its own targets.</summary>
public interface IRpcTarget;

/// <summary>The till that is calling, for the duration of one pipe call (set by the pipe server).</summary>
/// <param name="PointOfSale">The point of sale the till named in <c>hello</c>.</param>
/// <param name="TillName">The till's own name (software, version), for logs.</param>
/// <param name="ConnectionId">The pipe connection, for logs.</param>
/// <param name="Peer">The peer's account as the pipe identified it (e.g. <c>uid 1001 (caisse)</c>), for records of who did what.</param>
/// <param name="IsOperator">Whether that account may call operator methods.</param>
public sealed record TillContext(PointsOfSale.PointOfSaleId PointOfSale, string TillName, string ConnectionId, string Peer = "", bool IsOperator = false)
{
    private static readonly AsyncLocal<TillContext?> CurrentSlot = new();

    /// <summary>The calling till; null outside a pipe call or before <c>hello</c>.</summary>
    public static TillContext? Current
    {
        get => CurrentSlot.Value;
        set => CurrentSlot.Value = value;
    }

    /// <summary>The calling till, or a <see cref="Errors.MiddlewareException"/> (<c>HelloRequired</c>).</summary>
    public static TillContext Required => Current ?? throw new Errors.MiddlewareException(Errors.ErrorCode.HelloRequired, "The till has not said hello on this connection.");
}
