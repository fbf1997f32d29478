namespace Middleware.Benchmarks.Cards;

/// <summary>Percentiles of measured durations (nearest rank), in milliseconds.</summary>
internal sealed class Latencies(IReadOnlyList<double> milliseconds)
{
    private readonly double[] _sorted = milliseconds.Count > 0
        ? [.. milliseconds.Order()]
        : throw new ArgumentException("No measurement.", nameof(milliseconds));

    public int Count => _sorted.Length;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    public double Mean => _sorted.Average();

    public double Percentile(double p) => _sorted[Math.Clamp((int)Math.Ceiling(p * _sorted.Length) - 1, 0, _sorted.Length - 1)];
}
