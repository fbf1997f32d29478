namespace Middleware.VirtualTerminals.Tetra;

/// <summary>What the simulated terminal answers to a Concert E+ payment (debit or credit).</summary>
public enum TetraPaymentBehaviour
{
    /// <summary>Result 0, the amount asked.</summary>
    Accepted,

    /// <summary>Result 7.</summary>
    Refused,

    /// <summary>Result 9, amount 0.</summary>
    NotCompleted,
}
