using System.Runtime.InteropServices;
using Middleware.Cards.Pcsc;
using Middleware.Cards.Pcsc.Native;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Xunit;

namespace Middleware.Cards.Tests.Pcsc;

public sealed class NativeLayoutTests
{
    // cards.md §8: the per-platform layouts, checked on any 64-bit machine through each platform's definition.
    [Fact]
    public void Linux_reader_state_is_80_bytes_with_a_33_byte_atr()
    {
        Assert.Equal(8, IntPtr.Size);
        Assert.Equal(80, Marshal.SizeOf<LinuxReaderState>());
        Assert.Equal(40, (int)Marshal.OffsetOf<LinuxReaderState>(nameof(LinuxReaderState.Atr)));
        Assert.Equal(33, Marshal.SizeOf<AtrBuffer33>());
    }

    [Fact]
    public void Windows_reader_state_is_64_bytes_with_a_36_byte_atr()
    {
        Assert.Equal(64, Marshal.SizeOf<WindowsReaderState>());
        Assert.Equal(28, (int)Marshal.OffsetOf<WindowsReaderState>(nameof(WindowsReaderState.Atr)));
        Assert.Equal(36, Marshal.SizeOf<AtrBuffer36>());
    }

    [Fact]
    public void Mac_reader_state_is_61_bytes_packed()
    {
        Assert.Equal(61, Marshal.SizeOf<MacReaderState>());
        Assert.Equal(28, (int)Marshal.OffsetOf<MacReaderState>(nameof(MacReaderState.Atr)));
    }

    [Fact]
    public void Io_request_is_16_bytes_on_linux_and_8_elsewhere()
    {
        Assert.Equal(16, Marshal.SizeOf<LinuxIoRequest>());
        Assert.Equal(8, Marshal.SizeOf<WindowsIoRequest>());
        Assert.Equal(8, Marshal.SizeOf<MacIoRequest>());
    }

    [Fact]
    public void The_linux_binding_loads_libpcsclite_so_1()
    {
        Assert.Equal("libpcsclite.so.1", new LinuxPcscApi().LibraryName);
        Assert.Equal("winscard.dll", new WindowsPcscApi().LibraryName);
        Assert.EndsWith("PCSC.framework/PCSC", new MacPcscApi().LibraryName);
        Assert.IsType<LinuxPcscApi>(PcscApi.ForCurrentPlatform());
    }

    [Theory]
    [InlineData(0x8010001DU, SmartCardError.NoService)]
    [InlineData(0x8010001EU, SmartCardError.ServiceStopped)]
    [InlineData(0x80100069U, SmartCardError.RemovedCard)]
    [InlineData(0x8010000CU, SmartCardError.NoSmartcard)]
    [InlineData(0x80100009U, SmartCardError.UnknownReader)]
    [InlineData(0x80100068U, SmartCardError.ResetCard)]
    [InlineData(0x80100066U, SmartCardError.UnresponsiveCard)]
    [InlineData(0x8010000BU, SmartCardError.SharingViolation)]
    [InlineData(0x80100016U, SmartCardError.CommunicationError)]
    [InlineData(0x80100002U, SmartCardError.Cancelled)]
    [InlineData(0x8010000AU, SmartCardError.Timeout)]
    [InlineData(0x80100017U, SmartCardError.ReaderUnavailable)]
    [InlineData(0x80100099U, SmartCardError.Other)]
    public void Native_codes_map_to_stable_errors(uint code, SmartCardError expected)
    {
        var exception = PcscErrors.Exception(code, "SCardTest", "Reader 1");

        Assert.Equal(expected, exception.Error);
        Assert.Equal(code, exception.NativeCode);
        Assert.Contains("Reader 1", exception.Message);
        Assert.Contains(code == 0x80100099U ? "0x80100099" : "SCARD_", exception.Message);
    }

    [Theory]
    [InlineData(0x8010001DU, SmartCardError.NoService)]
    [InlineData(0x8010001EU, SmartCardError.ServiceStopped)]
    [InlineData(0x80100003U, SmartCardError.ServiceStopped)]
    [InlineData(0x80100013U, SmartCardError.ServiceStopped)]
    public void A_lost_context_is_reported_as_a_service_loss(uint code, SmartCardError expected)
    {
        var exception = PcscErrors.For(code, "SCardGetStatusChange");

        Assert.Equal(expected, exception.Error);
        Assert.True(exception.IsServiceLost);
    }

    [Fact]
    public void Reader_states_and_event_counters_round_trip_to_native_flags()
    {
        Assert.Equal(SmartCardReaderState.CardPresent, PcscSmartCardSystem.ToState(PcscState.Present | PcscState.InUse));
        Assert.Equal(SmartCardReaderState.CardMute, PcscSmartCardSystem.ToState(PcscState.Present | PcscState.Mute));
        Assert.Equal(SmartCardReaderState.Empty, PcscSmartCardSystem.ToState(PcscState.Empty));
        Assert.Equal(SmartCardReaderState.Unavailable, PcscSmartCardSystem.ToState(PcscState.Unavailable));

        var status = new SmartCardReaderStatus("R", SmartCardReaderState.CardPresent, new byte[] { 0x3B }, 7);
        Assert.Equal(0x0007_0020u, PcscSmartCardSystem.ToNativeState(status));
    }
}
