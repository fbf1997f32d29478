namespace Middleware.Cards.Pcsc;

/// <summary>Settings of the host's PC/SC service (configuration section <c>Pcsc</c>).</summary>
public sealed class PcscOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Pcsc";

    /// <summary>
    /// Context scope passed to <c>SCardEstablishContext</c>. Default <see cref="PcscScope.System"/>, which is what a
    /// Windows service needs; pcsc-lite ignores the scope.
    /// </summary>
    public PcscScope Scope { get; set; } = PcscScope.System;

    /// <summary>How many idle PC/SC contexts are kept for reuse (each wait and each connection uses its own,
    /// because pcsc-lite serialises the calls on one context). Default 4.</summary>
    public int MaxIdleContexts { get; set; } = 4;

    /// <summary>Size of the receive buffer of one <c>SCardTransmit</c>, in bytes. Default 4096 (short and
    /// moderately extended APDUs).</summary>
    public int ReceiveBufferSize { get; set; } = 4096;

    /// <summary>After a failed exchange, how long to watch whether the card left the reader, so that a removal
    /// mid-read is reported as <c>RemovedCard</c> and not as a communication error. Default 600 ms (pcsc-lite
    /// polls card presence every 400 ms).</summary>
    public TimeSpan RemovalCheckWindow { get; set; } = TimeSpan.FromMilliseconds(600);
}

/// <summary>PC/SC context scope.</summary>
public enum PcscScope
{
    /// <summary><c>SCARD_SCOPE_USER</c>.</summary>
    User,

    /// <summary><c>SCARD_SCOPE_SYSTEM</c>.</summary>
    System,
}
