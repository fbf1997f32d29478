namespace Middleware.Serial;

/// <summary>How device paths are opened (option <c>SerialLinks:Transport</c>); <c>tcp://</c> paths are not affected.</summary>
public enum SerialLinkTransport
{
    /// <summary>Linux on x64 or arm64: open(2), termios and poll(2) directly (no 1 ms polling tick); elsewhere System.IO.Ports.</summary>
    Auto = 0,

    /// <summary>System.IO.Ports everywhere (on Linux its port loop adds up to 1 ms to each read and write).</summary>
    SystemIoPorts = 1,
}
