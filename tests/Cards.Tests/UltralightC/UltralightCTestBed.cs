using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Cards.Sam;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Middleware.Plugins.UltralightC;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.UltralightC;

namespace Middleware.Cards.Tests.UltralightC;

/// <summary>The Ultralight C plugin started with a real software SAM, reading a virtual card through a fake PC/SC
/// connection that can replace or drop any answer.</summary>
internal sealed class UltralightCTestBed : IAsyncDisposable
{
    public const string Reader = "ACS ACR1252 Dual Reader PICC 00 00";
    public const string SamId = "5357534D000000UC";

    // The key file's UltralightC entry 0 (DesfireTestBed's key file uses the same master).
    public static readonly byte[] Master = Convert.FromHexString("F0E0D0C0B0A090807060504030201000");
    public static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F6");

    private UltralightCTestBed(TempKeyFile keyFile, SoftwareSam sam, FakePluginContext context)
    {
        KeyFile = keyFile;
        Sam = sam;
        Context = context;
    }

    public TempKeyFile KeyFile { get; }

    public SoftwareSam Sam { get; }

    public FakePluginContext Context { get; }

    public UltralightCReaderPlugin Plugin { get; } = new();

    public static ZdcDescription Zdc { get; } = new() { IdSupport = "36000042", NumeroApplicatif = "04A1B2C3D4E5F6", Crous = 5 };

    public static async Task<UltralightCTestBed> StartAsync(string settings = "{}", bool withSam = true, string? keyFileJson = null)
    {
        var keyFile = TempKeyFile.Create(keyFileJson ?? $$"""
            { "samId": "{{SamId}}", "keys": [ { "technology": "UltralightC", "keyNumber": 0, "key": "{{Convert.ToHexString(Master)}}" } ] }
            """);
        var sam = new SoftwareSam(Options.Create(new SoftwareSamOptions { KeyFile = keyFile.Path }), NullLogger<SoftwareSam>.Instance);
        object[] services = withSam ? [sam] : [];
        var context = new FakePluginContext(new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero)), JsonDocument.Parse(settings).RootElement.Clone(), services);
        var bed = new UltralightCTestBed(keyFile, sam, context);
        await bed.Plugin.StartAsync(context, CancellationToken.None);
        return bed;
    }

    public static VirtualUltralightCCard Card(UltralightCFault fault = UltralightCFault.None, bool acs = false) =>
        IzlyUltralightCCards.FromZdc(Zdc, Uid, Master, fault, acs);

    public Task<CardIdentity> ReadAsync(IVirtualCard card, Func<int, byte[], byte[]?>? tamper = null, int? removeAt = null) =>
        Plugin.ReadAsync(new ScriptedCard(Reader, card, tamper, removeAt), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Plugin.StopAsync(CancellationToken.None);
        Sam.Dispose();
        KeyFile.Dispose();
    }
}

/// <summary>A connected card: the virtual card's answers, unless <c>tamper</c> (APDU index from 1, the true answer)
/// gives another; the card leaves during APDU <c>removeAt</c>.</summary>
internal sealed class ScriptedCard(string reader, IVirtualCard card, Func<int, byte[], byte[]?>? tamper, int? removeAt) : IPcscCard
{
    public List<byte[]> Apdus { get; } = [];

    public string ReaderName => reader;

    public ReadOnlyMemory<byte> Atr => card.Atr;

    public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Apdus.Add(apdu.ToArray());
        if (Apdus.Count >= removeAt)
        {
            throw new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "card removed");
        }

        var answer = card.Transmit(apdu.Span);
        return Task.FromResult(tamper?.Invoke(Apdus.Count, answer) ?? answer);
    }
}
