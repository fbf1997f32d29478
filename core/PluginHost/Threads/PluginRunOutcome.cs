namespace Middleware.PluginHost.Threads;

/// <summary>How a budgeted entry into plugin code ended, as far as the host waited.</summary>
internal enum PluginRunEnd
{
    /// <summary>It finished (returned, threw or was cancelled) within its budget.</summary>
    InBudget,

    /// <summary>It finished after its budget, within the cancel grace (it honoured the cancellation).</summary>
    InGrace,

    /// <summary>The caller's own token was cancelled first; the plugin's code may still be running.</summary>
    CallerLeft,

    /// <summary>Not finished after budget + grace, but its thread was given back: an asynchronous hang.</summary>
    Hung,

    /// <summary>Not finished after budget + grace and its thread is still inside the plugin: the thread is abandoned.</summary>
    Blocked,
}

/// <summary>The end of a budgeted run, with the plugin's task (completed unless <see cref="End"/> says otherwise).</summary>
internal readonly record struct PluginRunOutcome<T>(PluginRunEnd End, Task<T> Task, PluginRun Run)
{
    public bool Finished => End is PluginRunEnd.InBudget or PluginRunEnd.InGrace;
}
