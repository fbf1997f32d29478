namespace Middleware.VirtualCards;

/// <summary>
/// A virtual card that leaves the field in the middle of a read (a fault that tests and <c>izly-vcard --fault
/// removed-mid-read</c> ask for): whoever offers it to a reader (<see cref="Vpcd.VpcdCardSlot"/>, test readers) asks
/// before each command and takes the card away, without an answer, when this says so.
/// </summary>
public interface ILeavingCard
{
    /// <summary>True when the card leaves before answering <paramref name="apdu"/>.</summary>
    bool LeavesFieldBefore(ReadOnlySpan<byte> apdu);
}
