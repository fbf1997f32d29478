using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// Reads a <c>.nettrace</c> taken from the host with the runtime's GC events (allocation ticks with stacks, finalized
/// objects with type names; see tests/Benchmarks/profile-sale.sh) and prints what the host allocates and finalizes:
/// the types finalized (finalizable garbage made per call shows here), the allocated bytes by type and by allocating
/// stack. Allocation ticks are samples (one per ~100 KB allocated): the shares are estimates, the totals are not exact.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- trace-report &lt;file.nettrace&gt; [top]</c>.
/// </summary>
internal static class TraceReport
{
    public const string Command = "trace-report";

    public static int Run(string[] args)
    {
        if (args.Length < 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: trace-report <file.nettrace> [top]");
            return 2;
        }

        var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var finalized = new Dictionary<string, int>(StringComparer.Ordinal);
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        var byStack = new Dictionary<string, long>(StringComparer.Ordinal);
        var etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
        try
        {
            using var log = new TraceLog(etlx);
            var source = log.Events.GetSource();
            source.Clr.GCFinalizeObject += e => Add(finalized, Name(e.TypeName), 1);
            source.Clr.GCAllocationTick += e =>
            {
                var type = Name(e.TypeName);
                Add(byType, type, e.AllocationAmount64);
                Add(byStack, type + "  <=  " + Stack(e), e.AllocationAmount64);
            };
            source.Process();
        }
        finally
        {
            File.Delete(etlx);
        }

        Console.WriteLine("== objects finalized (count)");
        foreach (var (type, count) in finalized.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,8} {type}"));
        }

        var total = Math.Max(1, byType.Values.Sum());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== bytes allocated by type (sampled: {total / 1048576.0:F1} MiB in all)"));
        foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * bytes / total,6:F2}% {type}"));
        }

        Console.WriteLine("== bytes allocated by allocating stack (innermost first, async plumbing left out)");
        foreach (var (stack, bytes) in byStack.OrderByDescending(p => p.Value).Take(top * 2))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * bytes / total,6:F2}% {stack}"));
        }

        return 0;
    }

    private static string Name(string? type) => string.IsNullOrEmpty(type) ? "(unnamed)" : type;

    private static void Add<T>(Dictionary<string, T> counts, string key, T amount) where T : System.Numerics.INumber<T> =>
        counts[key] = counts.GetValueOrDefault(key, T.Zero) + amount;

    // The first frames that say who allocated: the runtime's async and threading plumbing is skipped.
    private static string Stack(TraceEvent e)
    {
        var frames = new List<string>(6);
        for (var frame = e.CallStack(); frame is not null && frames.Count < 6; frame = frame.Caller)
        {
            var name = frame.CodeAddress.FullMethodName;
            if (string.IsNullOrEmpty(name) || name.StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal)
                || name.StartsWith("System.Threading.", StringComparison.Ordinal))
            {
                continue;
            }

            frames.Add(name.Length > 120 ? name[..120] : name);
        }

        return string.Join(" <- ", frames);
    }
}
