using System.Runtime.InteropServices;
using Middleware.Sandbox.Seed;
using Middleware.VirtualCards.Izly;

namespace Middleware.VirtualCards.Tool;

/// <summary>
/// <c>izly-vcard</c>: puts a virtual Izly card on a vpcd reader for people testing their tills against the sandbox
/// (see <see cref="VirtualIzlyCardCommand.Usage"/>). Ctrl+C or SIGTERM takes the card off the reader.
/// </summary>
internal static class VirtualCardTool
{
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // Let the command remove the card and say so, instead of the runtime ending the process at once.
            e.Cancel = true;
            stop.Cancel();
        };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        return await RunAsync(args, Console.Out, stop.Token);
    }

    /// <summary>The command with the sandbox's right holders behind <c>--holder</c>.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken) =>
        VirtualIzlyCardCommand.RunAsync(args, output, cancellationToken, SandboxHolderCard);

    /// <summary>The first card of a seeded sandbox right holder, as its ZDC (issued by the sandbox's Crous).</summary>
    public static ZdcDescription? SandboxHolderCard(string identifier)
    {
        var holder = SandboxSeed.Create(DateTimeOffset.UtcNow).RightHolders.FirstOrDefault(h => h.Identifier == identifier);
        return holder?.Cards is [var card, ..]
            ? new ZdcDescription { IdSupport = card.IdSupport, NumeroApplicatif = card.NumeroApplicatif, Crous = SandboxSeed.CrousId }
            : null;
    }
}
