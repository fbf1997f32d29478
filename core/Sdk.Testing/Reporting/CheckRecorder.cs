using System.Diagnostics;

namespace Middleware.Plugins.Testing.Reporting;

/// <summary>Runs checks one after the other, timing each and turning whatever it throws into a failed row, so one
/// broken behaviour never hides the others.</summary>
internal sealed class CheckRecorder
{
    private readonly List<ConformanceCheck> _checks = [];

    public IReadOnlyList<ConformanceCheck> Checks => _checks;

    /// <summary>Runs <paramref name="check"/>: it returns the detail of a pass, or throws <see cref="CheckFailedException"/>
    /// (or anything else) for a failure.</summary>
    public async Task RunAsync(string name, Func<Task<string>> check)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var detail = await check().ConfigureAwait(false);
            _checks.Add(new ConformanceCheck(name, true, detail, watch.Elapsed));
        }
        catch (CheckFailedException ex)
        {
            _checks.Add(new ConformanceCheck(name, false, ex.Message, watch.Elapsed));
        }
        catch (Exception ex)
        {
            _checks.Add(new ConformanceCheck(name, false, $"{ex.GetType().Name}: {ex.Message}", watch.Elapsed));
        }
    }

    /// <summary>Records a row decided elsewhere.</summary>
    public void Add(string name, bool passed, string detail, TimeSpan elapsed) => _checks.Add(new ConformanceCheck(name, passed, detail, elapsed));
}

/// <summary>A check saw the plugin break the contract; the message says how.</summary>
internal sealed class CheckFailedException(string message) : Exception(message)
{
    public static void Unless(bool condition, string message)
    {
        if (!condition)
        {
            throw new CheckFailedException(message);
        }
    }
}
