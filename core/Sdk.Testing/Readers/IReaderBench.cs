using Middleware.Plugins.Testing.Fakes;

namespace Middleware.Plugins.Testing.Readers;

/// <summary>Where the reader profile puts its cards: the fake PC/SC service or a real vpcd reader.</summary>
internal interface IReaderBench : IAsyncDisposable
{
    /// <summary>Fake or real, for the report.</summary>
    string Mode { get; }

    /// <summary>The reader the cards go on.</summary>
    string ReaderName { get; }

    /// <summary>Connections open now, where the bench can count them (the fake); null otherwise.</summary>
    int? OpenConnections { get; }

    /// <summary>When the card now on the reader got its first command APDU (Stopwatch timestamp): the read's start.</summary>
    long? FirstApduTimestamp { get; }

    /// <summary>How a mute card is played here, for the report.</summary>
    string MuteNote { get; }

    /// <summary>Puts a card on the reader; a mute one says nothing for <paramref name="silence"/> where the bench
    /// cannot keep it silent for ever.</summary>
    Task InsertAsync(KitCard card, KitCardFault fault = KitCardFault.None, int faultAtApdu = 1, TimeSpan? silence = null);

    /// <summary>Takes the card off the reader (nothing when there is none).</summary>
    Task RemoveAsync();
}
