using System.Runtime.InteropServices;

namespace Middleware.Cards.Pcsc.Native;

/// <summary>One reader's entry of <c>SCardGetStatusChange</c>, platform-neutral.</summary>
internal sealed class ReaderStateEntry(string name, uint currentState)
{
    public string Name { get; } = name;

    public uint CurrentState { get; set; } = currentState;

    public uint EventState { get; set; }

    public byte[] Atr { get; set; } = [];
}

/// <summary>
/// The PC/SC calls the host needs, with the platform's types hidden: every method returns the native return code
/// as an unsigned 32-bit value (<see cref="PcscCode"/>). Handles are carried as <see cref="nint"/>.
/// </summary>
internal interface IPcscApi
{
    /// <summary>The native library this binding calls.</summary>
    string LibraryName { get; }

    uint EstablishContext(uint scope, out nint context);

    uint ReleaseContext(nint context);

    /// <summary>Lists readers; <see cref="PcscCode.NoReadersAvailable"/> is returned as-is for the caller to map.</summary>
    uint ListReaders(nint context, out string[] readers);

    uint GetStatusChange(nint context, uint timeoutMs, ReaderStateEntry[] states);

    uint Cancel(nint context);

    uint Connect(nint context, string reader, uint shareMode, uint preferredProtocols, out nint card, out uint activeProtocol);

    /// <summary>Sends <paramref name="command"/>; the response is written into <paramref name="response"/>.</summary>
    uint Transmit(nint card, uint protocol, ReadOnlySpan<byte> command, Span<byte> response, out int responseLength);

    /// <summary>The ATR of the connected card.</summary>
    uint GetAtr(nint card, out byte[] atr);

    uint Disconnect(nint card, uint disposition);
}

/// <summary>Picks the binding for the running platform.</summary>
internal static class PcscApi
{
    public static IPcscApi ForCurrentPlatform()
    {
        if (OperatingSystem.IsWindows())
        {
            return new WindowsPcscApi();
        }

        if (OperatingSystem.IsMacOS())
        {
            return new MacPcscApi();
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD())
        {
            return new LinuxPcscApi();
        }

        throw new PlatformNotSupportedException($"PC/SC is not supported on {RuntimeInformation.OSDescription}.");
    }

    /// <summary>Splits a PC/SC multi-string (names separated by NUL, ended by an empty name).</summary>
    public static string[] SplitMultiString(string multi) =>
        multi.Split('\0', StringSplitOptions.RemoveEmptyEntries);
}
