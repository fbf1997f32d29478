using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.VirtualCards;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// One technology of the card-read benchmark: the virtual Izly card to put on the reader (personalised with the demo
/// SAM's keys, <see cref="Middleware.VirtualCards.Izly.DemoSamKeys"/>, its randomness fixed when it has any), a fresh
/// reader plugin, and the card number and technology a correct read gives.
/// </summary>
internal sealed record CardBenchCase(string Name, string ExpectedIdSupport, CardTechnology ExpectedTechnology, Func<IVirtualCard> CreateCard, Func<IPcscCardPlugin> CreatePlugin);
