namespace Middleware.VirtualTerminals.Tetra;

/// <summary>How the simulated terminal behaves on the line, whatever the request.</summary>
public enum TetraLineBehaviour
{
    /// <summary>The Concert protocol as it should be.</summary>
    Normal,

    /// <summary>Every answer frame carries a wrong LRC (so the till NAKs it, again and again).</summary>
    CorruptLrc,

    /// <summary>Every request frame is refused with NAK.</summary>
    NakRequests,

    /// <summary>Nothing is ever sent: not even the ACK of ENQ.</summary>
    Silent,

    /// <summary>Answers after <see cref="TetraBehaviour.SlowDelay"/> on top of the request's own time.</summary>
    Slow,

    /// <summary>The answer frame is 300 bytes of noise without ETX, each time the till asks for it.</summary>
    Garbage,

    /// <summary>The answer frame is well formed but its message lacks its last character.</summary>
    TruncatedAnswer,
}
