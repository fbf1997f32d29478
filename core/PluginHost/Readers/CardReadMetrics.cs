using System.Diagnostics;
using System.Diagnostics.Metrics;
using Middleware.Contracts.Readers;
using Middleware.Domain.Telemetry;

namespace Middleware.PluginHost.Readers;

/// <summary>Card reads by technology and result (ok, or the read error's code): never the card's numbers.</summary>
internal static class CardReadMetrics
{
    private static readonly Counter<long> Reads = MiddlewareTelemetry.Meter.CreateCounter<long>(
        "middleware.cards.reads", "{read}", "Card reads by technology and result (ok, or the CardReadError of a failed read).");

    public static void Read(CardTapped tapped) =>
        Add(tapped.Card.Technology.ToString(), "ok");

    // A failed read names no technology (the card may not even be an Izly card).
    public static void Failed(CardReadFailed failed) =>
        Add("unknown", failed.Error.ToString());

    private static void Add(string technology, string result)
    {
        if (Reads.Enabled)
        {
            Reads.Add(1, new TagList { { MiddlewareTelemetry.Tags.Technology, technology }, { MiddlewareTelemetry.Tags.Result, result } });
        }
    }
}
