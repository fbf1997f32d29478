using System.ComponentModel;
using System.Diagnostics;

namespace Middleware.Scripting.Runtime;

/// <summary>
/// A script ran past its budget (steps, call depth or time). .NET can neither abort a running delegate nor
/// catch a stack overflow, so the compiled script checks its own budget at every loop back-edge and call entry.
/// </summary>
public sealed class ScriptBudgetExceededException : Exception
{
    public ScriptBudgetExceededException(string message) : base(message) { }

    public ScriptBudgetExceededException() : base("The script exceeded its budget.") { }

    public ScriptBudgetExceededException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The per-call budget the compiler injects calls to. Thread-static: a script call runs on one thread from
/// start to end (scripts cannot start threads or await). Public only because emitted script code calls it;
/// scripts themselves cannot name it (the allow-list refuses the namespace).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ScriptBudget
{
    [ThreadStatic] private static long steps;
    [ThreadStatic] private static long maxSteps;
    [ThreadStatic] private static int depth;
    [ThreadStatic] private static int maxDepth;
    [ThreadStatic] private static long deadline;
    [ThreadStatic] private static string? tripped;

    /// <summary>Injected at every loop back-edge and goto.</summary>
    public static void Tick()
    {
        if (++steps > maxSteps || tripped is not null)
        {
            Trip();
        }

        // The clock is read every 4096 steps only: a step is a few nanoseconds.
        if ((steps & 0xFFF) == 0 && Stopwatch.GetTimestamp() > deadline)
        {
            tripped = "it ran longer than its time budget";
            Trip();
        }
    }

    /// <summary>Injected at the entry of the script body, local functions, lambdas.</summary>
    public static void Enter()
    {
        if (++depth > maxDepth)
        {
            tripped ??= $"its calls nested deeper than {maxDepth} levels (unbounded recursion?)";
            Trip();
        }

        Tick();
    }

    /// <summary>Injected in the finally of every entered body.</summary>
    public static void Leave() => depth--;

    /// <summary>Injected first in every catch block: a script cannot swallow its own budget failure.</summary>
    public static void Check()
    {
        if (tripped is not null)
        {
            Trip();
        }
    }

    private static void Trip()
    {
        tripped ??= $"it ran more than {maxSteps:N0} steps (endless loop?)";
        throw new ScriptBudgetExceededException($"The script was stopped because {tripped}.");
    }

    /// <summary>Starts a budget on this thread for one script call; dispose to end it.</summary>
    internal static Scope Begin(long maxStepCount, int maxCallDepth, TimeSpan maxDuration) => new(maxStepCount, maxCallDepth, maxDuration);

    internal readonly struct Scope : IDisposable
    {
        private readonly long savedSteps, savedMax, savedDeadline;
        private readonly int savedDepth, savedMaxDepth;
        private readonly string? savedTripped;

        public Scope(long maxStepCount, int maxCallDepth, TimeSpan maxDuration)
        {
            (savedSteps, savedMax, savedDepth, savedMaxDepth, savedDeadline, savedTripped) = (steps, maxSteps, depth, maxDepth, deadline, tripped);
            steps = 0;
            maxSteps = maxStepCount;
            depth = 0;
            maxDepth = maxCallDepth;
            deadline = Stopwatch.GetTimestamp() + (long)(maxDuration.TotalSeconds * Stopwatch.Frequency);
            tripped = null;
        }

        /// <summary>Throws when the script swallowed a budget failure and returned anyway.</summary>
        public void ThrowIfTripped()
        {
            if (tripped is not null)
            {
                throw new ScriptBudgetExceededException($"The script was stopped because {tripped}.");
            }
        }

        public long StepsUsed => steps;

        public void Dispose() => (steps, maxSteps, depth, maxDepth, deadline, tripped) = (savedSteps, savedMax, savedDepth, savedMaxDepth, savedDeadline, savedTripped);
    }
}
