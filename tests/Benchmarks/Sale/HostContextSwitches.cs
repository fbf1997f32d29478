using System.Globalization;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// The host's context switches, summed over its threads (Linux, /proc/PID/task/*/status): each hand-off of a sale from
/// one thread to another costs a sleep and a wake-up, which CPU time alone shows only as scheduler time. Voluntary:
/// the thread waited (a hand-off, a lock, I/O); involuntary: it was preempted. Threads that end in between take their
/// counts with them (the figure is then a little low). Zero where /proc is not there.
/// </summary>
internal readonly record struct HostContextSwitches(long Voluntary, long Involuntary)
{
    public static HostContextSwitches Read(int pid)
    {
        long voluntary = 0, involuntary = 0;
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return default;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        voluntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        involuntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }

        return new(voluntary, involuntary);
    }

    public string PerSale(HostContextSwitches before, int sales) => string.Create(CultureInfo.InvariantCulture,
        $"host context switches per sale (all threads): voluntary {(Voluntary - before.Voluntary) / (double)sales:F1}, involuntary {(Involuntary - before.Involuntary) / (double)sales:F1}");
}
