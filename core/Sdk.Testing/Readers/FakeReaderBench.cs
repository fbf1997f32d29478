using Middleware.Plugins.Testing.Fakes;

namespace Middleware.Plugins.Testing.Readers;

/// <summary>The cards on the kit's <see cref="FakePcscService"/>.</summary>
internal sealed class FakeReaderBench : IReaderBench
{
    public FakeReaderBench()
    {
        Pcsc.AddReader(ReaderName);
    }

    public FakePcscService Pcsc { get; } = new();

    public string Mode => "fake PC/SC";

    public string ReaderName => "Kit Reader 00";

    public int? OpenConnections => Pcsc.OpenConnections;

    public string MuteNote => "";

    public long? FirstApduTimestamp => Pcsc.FirstApduTimestamp(ReaderName);

    public Task InsertAsync(KitCard card, KitCardFault fault = KitCardFault.None, int faultAtApdu = 1, TimeSpan? silence = null)
    {
        Pcsc.Insert(ReaderName, card, fault, faultAtApdu);
        return Task.CompletedTask;
    }

    public Task RemoveAsync()
    {
        Pcsc.Remove(ReaderName);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
