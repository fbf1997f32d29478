namespace Middleware.VirtualTerminals.Tetra;

/// <summary>What the simulated terminal finds when asked to read a card (the DemandeZDC result).</summary>
public enum TetraCardBehaviour
{
    /// <summary>Result 0: the configured card is read at once.</summary>
    CardPresent,

    /// <summary>Result 1, once the request's own timeout has passed.</summary>
    CardAbsent,

    /// <summary>Result 2: a card that is not an Izly card.</summary>
    NotIzlyCard,

    /// <summary>Result 3: the terminal's SAM failed.</summary>
    SamError,
}
