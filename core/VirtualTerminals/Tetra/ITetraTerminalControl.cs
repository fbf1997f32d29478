namespace Middleware.VirtualTerminals.Tetra;

/// <summary>What a test or the sandbox's admin route switches on a simulated Tetra, whatever carries it (a pty pair,
/// a PCL bridge).</summary>
public interface ITetraTerminalControl
{
    /// <summary>The current behaviour.</summary>
    TetraBehaviour Behaviour { get; }

    /// <summary>Every request message received whole, oldest first.</summary>
    IReadOnlyList<string> Requests { get; }

    /// <summary>Switches the behaviour (checked: <see cref="ArgumentException"/> naming the bad value); the next
    /// request follows it.</summary>
    void SetBehaviour(TetraBehaviour behaviour);
}
