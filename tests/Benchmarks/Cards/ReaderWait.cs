using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Benchmarks.Cards;

/// <summary>Waits, through pcscd's status, for a card to be on a reader or gone from it (vpcd inserts asynchronously).</summary>
internal static class ReaderWait
{
    public static async Task UntilAsync(ISmartCardSystem pcsc, string reader, bool hasCard, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        var status = await pcsc.GetStatusAsync(CancellationToken.None);
        while (!status.Any(s => s.ReaderName == reader && s.HasCard == hasCard))
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > timeout)
            {
                throw new TimeoutException($"{reader} still {(hasCard ? "has no card" : "has a card")} after {timeout.TotalSeconds:0} s.");
            }

            status = await pcsc.WaitForChangeAsync(status, TimeSpan.FromSeconds(1), CancellationToken.None);
        }
    }
}
