using System.ComponentModel;
using System.Diagnostics;

namespace Middleware.Scripting.Runtime;

/// <summary>
/// A script ran past its budget (steps, call depth, time, memory or the size of one value). .NET can neither abort a
/// running delegate nor catch a stack overflow or an out-of-memory, so the compiled script checks its own budget at
/// every statement, loop back-edge, call and call entry, and before every size-driven allocation.
/// </summary>
public sealed class ScriptBudgetExceededException : Exception
{
    public ScriptBudgetExceededException(string message) : base(message) { }

    public ScriptBudgetExceededException() : base("The script exceeded its budget.") { }

    public ScriptBudgetExceededException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The limits of one script call.</summary>
internal sealed record ScriptLimits(long MaxSteps, int MaxCallDepth, TimeSpan MaxDuration, long MaxAllocatedBytes, int MaxStringLength, int MaxElements)
{
    public const long DefaultMaxAllocatedBytes = 64L * 1024 * 1024;
    public const int DefaultMaxStringLength = 1_000_000;
    public const int DefaultMaxElements = 1_000_000;
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
    [ThreadStatic] private static long allocationLimit;
    [ThreadStatic] private static int maxStringLength;
    [ThreadStatic] private static int maxElements;
    [ThreadStatic] private static string? tripped;

    /// <summary>Injected before every statement, at every loop back-edge and goto, after every call.</summary>
    public static void Tick()
    {
        if (++steps > maxSteps || tripped is not null)
        {
            Trip();
        }

        // Both reads cost tens of nanoseconds; reading them every step is what bounds a few slow, huge steps.
        if (Stopwatch.GetTimestamp() > deadline)
        {
            tripped = "it ran longer than its time budget";
            Trip();
        }

        if (GC.GetAllocatedBytesForCurrentThread() > allocationLimit)
        {
            tripped = "it allocated more memory than its budget";
            Trip();
        }
    }

    /// <summary>Injected around every call that returns a value: the call's cost is checked before the script goes on.</summary>
    public static T After<T>(T value)
    {
        Tick();
        return value;
    }

    /// <summary>Injected around every string a script builds (+, interpolation, a call's result).</summary>
    public static string Text(string value)
    {
        if (value is not null && value.Length > maxStringLength)
        {
            tripped ??= $"it built a string of {value.Length:N0} characters (at most {maxStringLength:N0})";
            Trip();
        }

        Tick();
        return value!;
    }

    /// <summary>Checks the length of a string about to be built (joins).</summary>
    internal static void Length(long length)
    {
        if (length > maxStringLength)
        {
            tripped ??= $"it built a string of {length:N0} characters (at most {maxStringLength:N0})";
            Trip();
        }
    }

    /// <summary>Injected around array sizes and the count/capacity/width argument of a library call.</summary>
    public static int Count(int value)
    {
        if (value > maxElements)
        {
            tripped ??= $"it asked for {value:N0} elements or characters at once (at most {maxElements:N0})";
            Trip();
        }

        return value;
    }

    /// <inheritdoc cref="Count(int)"/>
    public static long Count(long value)
    {
        if (value > maxElements)
        {
            tripped ??= $"it asked for {value:N0} elements or characters at once (at most {maxElements:N0})";
            Trip();
        }

        return value;
    }

    /// <summary>
    /// Injected around every sequence a library call returns: each element costs a step, so a lazily compounded
    /// sequence (<c>e = e.Concat(e)</c> thirty times) is stopped while it is enumerated.
    /// </summary>
    public static IEnumerable<T> Items<T>(IEnumerable<T> source)
    {
        Tick();
        return source is null ? null! : Iterate(source);

        static IEnumerable<T> Iterate(IEnumerable<T> source)
        {
            foreach (var item in source)
            {
                Tick();
                yield return item;
            }
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
    internal static Scope Begin(long maxStepCount, int maxCallDepth, TimeSpan maxDuration) =>
        Begin(new ScriptLimits(maxStepCount, maxCallDepth, maxDuration, ScriptLimits.DefaultMaxAllocatedBytes,
            ScriptLimits.DefaultMaxStringLength, ScriptLimits.DefaultMaxElements));

    /// <inheritdoc cref="Begin(long, int, TimeSpan)"/>
    internal static Scope Begin(ScriptLimits limits) => new(limits);

    internal readonly struct Scope : IDisposable
    {
        private readonly long savedSteps, savedMax, savedDeadline, savedAllocationLimit, startAllocated;
        private readonly int savedDepth, savedMaxDepth, savedMaxString, savedMaxElements;
        private readonly string? savedTripped;

        public Scope(ScriptLimits limits)
        {
            (savedSteps, savedMax, savedDepth, savedMaxDepth, savedDeadline, savedTripped) = (steps, maxSteps, depth, maxDepth, deadline, tripped);
            (savedAllocationLimit, savedMaxString, savedMaxElements) = (allocationLimit, maxStringLength, maxElements);
            steps = 0;
            maxSteps = limits.MaxSteps;
            depth = 0;
            maxDepth = limits.MaxCallDepth;
            deadline = Stopwatch.GetTimestamp() + (long)(limits.MaxDuration.TotalSeconds * Stopwatch.Frequency);
            startAllocated = GC.GetAllocatedBytesForCurrentThread();
            allocationLimit = limits.MaxAllocatedBytes >= long.MaxValue - startAllocated ? long.MaxValue : startAllocated + limits.MaxAllocatedBytes;
            maxStringLength = limits.MaxStringLength;
            maxElements = limits.MaxElements;
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

        /// <summary>Bytes this thread allocated since the scope began.</summary>
        public long AllocatedBytes => GC.GetAllocatedBytesForCurrentThread() - startAllocated;

        public void Dispose()
        {
            (steps, maxSteps, depth, maxDepth, deadline, tripped) = (savedSteps, savedMax, savedDepth, savedMaxDepth, savedDeadline, savedTripped);
            (allocationLimit, maxStringLength, maxElements) = (savedAllocationLimit, savedMaxString, savedMaxElements);
        }
    }
}
