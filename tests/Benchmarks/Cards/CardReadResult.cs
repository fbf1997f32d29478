namespace Middleware.Benchmarks.Cards;

/// <summary>One row of the card-read table: a technology's plugin read against the raw replay of its APDUs.</summary>
internal sealed record CardReadResult(string Name, int ApduCount, Latencies Plugin, Latencies Raw)
{
    public const double Target = 1.2;

    public double RatioP50 => Plugin.P50 / Raw.P50;

    public double RatioP99 => Plugin.P99 / Raw.P99;

    public bool MeetsTarget => RatioP50 <= Target && RatioP99 <= Target;

    public static string Header =>
        "| technology | APDUs | plugin p50 ms | plugin p99 ms | raw p50 ms | raw p99 ms | ratio p50 | ratio p99 | <= 1.2x |\n" +
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";

    public string Row =>
        $"| {Name} | {ApduCount} | {Plugin.P50:0.000} | {Plugin.P99:0.000} | {Raw.P50:0.000} | {Raw.P99:0.000} | {RatioP50:0.00}x | {RatioP99:0.00}x | {(MeetsTarget ? "yes" : "no")} |";
}
