using Middleware.Cards.Pcsc.Native;

namespace Middleware.Cards.Tests.Pcsc;

/// <summary>A scripted PC/SC binding: the daemon can be "killed" (every existing context dies) and "restarted".</summary>
internal sealed class FakePcscApi : IPcscApi
{
    private readonly HashSet<nint> _live = [];
    private nint _next = 100;

    public bool Running { get; set; } = true;

    public List<string> Readers { get; } = ["Reader A"];

    public int Established { get; private set; }

    public int Released { get; private set; }

    public string LibraryName => "fake";

    /// <summary>Kills the daemon: existing contexts become invalid; new ones fail while it is down.</summary>
    public void Kill()
    {
        _live.Clear();
        Running = false;
    }

    public uint EstablishContext(uint scope, out nint context)
    {
        context = 0;
        if (!Running)
        {
            return PcscCode.NoService;
        }

        context = _next++;
        _live.Add(context);
        Established++;
        return PcscCode.Success;
    }

    public uint ReleaseContext(nint context)
    {
        Released++;
        return _live.Remove(context) ? PcscCode.Success : PcscCode.InvalidHandle;
    }

    public uint ListReaders(nint context, out string[] readers)
    {
        readers = [];
        if (!_live.Contains(context))
        {
            return Running ? PcscCode.InvalidHandle : PcscCode.CommError;
        }

        readers = [.. Readers];
        return readers.Length == 0 ? PcscCode.NoReadersAvailable : PcscCode.Success;
    }

    public uint GetStatusChange(nint context, uint timeoutMs, ReaderStateEntry[] states)
    {
        if (!_live.Contains(context))
        {
            return PcscCode.CommError;
        }

        foreach (var state in states)
        {
            state.EventState = Readers.Contains(state.Name) ? (uint)(PcscState.Empty | PcscState.Changed) : (uint)(PcscState.Unknown | PcscState.Changed);
        }

        return PcscCode.Success;
    }

    public uint Cancel(nint context) => PcscCode.Success;

    public uint Connect(nint context, string reader, uint shareMode, uint preferredProtocols, out nint card, out uint activeProtocol)
    {
        card = 0;
        activeProtocol = 0;
        if (!_live.Contains(context))
        {
            return PcscCode.CommError;
        }

        if (!Readers.Contains(reader))
        {
            return PcscCode.UnknownReader;
        }

        card = context + 10_000;
        activeProtocol = PcscConst.ProtocolT1;
        return PcscCode.Success;
    }

    public uint Transmit(nint card, uint protocol, ReadOnlySpan<byte> command, Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        if (!_live.Contains(card - 10_000))
        {
            return PcscCode.CommError;
        }

        response[0] = 0x90;
        response[1] = 0x00;
        responseLength = 2;
        return PcscCode.Success;
    }

    public uint GetAtr(nint card, out byte[] atr)
    {
        atr = [0x3B, 0x00];
        return PcscCode.Success;
    }

    public uint Disconnect(nint card, uint disposition) => _live.Contains(card - 10_000) ? PcscCode.Success : PcscCode.InvalidHandle;
}
