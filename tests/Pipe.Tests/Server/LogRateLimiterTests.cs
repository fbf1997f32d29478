using Microsoft.Extensions.Time.Testing;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Tests.Server;

public sealed class LogRateLimiterTests
{
    [Fact]
    public void At_most_the_limit_per_minute_and_the_next_entry_says_how_many_were_left_out()
    {
        var clock = new FakeTimeProvider();
        var limiter = new LogRateLimiter(3, clock);

        var written = Enumerable.Range(0, 10).Count(_ => limiter.TryEnter(out _));
        Assert.Equal(3, written);
        Assert.Equal(7, limiter.TotalSuppressed);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(limiter.TryEnter(out _));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryEnter(out var leftOut));
        Assert.Equal(8, leftOut);
        Assert.True(limiter.TryEnter(out leftOut));
        Assert.Equal(0, leftOut);
    }
}
