using Middleware.Api.Reference;
using Middleware.Api.Vem;

namespace Middleware.Api.Tests.Reference;

public sealed class ReferenceUnitTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Fact]
    public void Date_only_period_bounds_are_whole_local_days()
    {
        var p = ReferenceSnapshot.ResolvePeriod(new VemPeriode(1, "2026-09-01", "2027-01-31"), Paris);

        Assert.Equal(new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.FromHours(2)), p.Start);
        Assert.True(p.Contains(new DateTimeOffset(2027, 1, 31, 23, 59, 59, TimeSpan.FromHours(1))));
        Assert.False(p.Contains(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.FromHours(1))));
        Assert.False(p.Contains(new DateTimeOffset(2026, 8, 31, 23, 59, 59, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Date_time_bounds_with_an_offset_are_taken_as_is_and_bad_dates_refused()
    {
        var p = ReferenceSnapshot.ResolvePeriod(new VemPeriode(2, "2027-02-01T00:00:00+01:00", "2027-08-31T23:59:59+02:00"), Paris);
        Assert.Equal(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.FromHours(1)), p.Start);
        Assert.Equal(new DateTimeOffset(2027, 8, 31, 23, 59, 59, TimeSpan.FromHours(2)), p.End);
        Assert.Null(ReferenceSnapshot.ResolvePeriod(new VemPeriode(3, "2027-09-01", null), Paris).End);
        Assert.Throws<FormatException>(() => ReferenceSnapshot.ResolvePeriod(new VemPeriode(4, "soon", null), Paris));
    }

    [Theory]
    [InlineData(0, 3600, 3600)]
    [InlineData(1, 24, 36)]
    [InlineData(2, 48, 72)]
    [InlineData(3, 96, 144)]
    [InlineData(10, 480, 600)]
    public void Backoff_doubles_with_jitter_up_to_the_cap(int failures, double minSeconds, double maxSeconds)
    {
        var options = new ReferenceOptions { SyncInterval = TimeSpan.FromHours(1), RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(10) };
        foreach (var r in new[] { 0.0, 0.5, 0.999 })
        {
            var d = ReferenceSyncService.NextDelay(failures, options, r).TotalSeconds;
            Assert.InRange(d, minSeconds, maxSeconds);
        }
    }
}
