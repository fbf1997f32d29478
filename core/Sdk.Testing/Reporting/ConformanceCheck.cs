namespace Middleware.Plugins.Testing;

/// <summary>One row of a conformance report.</summary>
/// <param name="Name">What was checked, e.g. <c>claim: sample card wins</c>.</param>
/// <param name="Passed">Whether the plugin honoured the contract there.</param>
/// <param name="Detail">What was seen (the failure's reason, or the measured figure).</param>
/// <param name="Elapsed">How long the check took (real time).</param>
public sealed record ConformanceCheck(string Name, bool Passed, string Detail, TimeSpan Elapsed);
