using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Middleware.Contracts.Readers;
using Middleware.Host.Status;
using Middleware.PluginHost;
using Serilog.Events;
using Serilog.Parsing;

namespace Middleware.Host.Tests.Status;

/// <summary>The snapshot's parts alone: time limits, the health report's cache, the rings and what they keep.</summary>
public sealed class StatusPartsTests
{
    [Fact]
    public async Task A_part_that_hangs_or_throws_gives_its_error_within_its_limit_and_the_others_answer()
    {
        var runner = new StatusPartRunner(TimeProvider.System, NullLogger<StatusPartRunner>.Instance);
        var watch = Stopwatch.StartNew();

        // A part that ignores its token still gives up its place at the limit.
        var hanging = runner.RunAsync<int>("hang", TimeSpan.FromMilliseconds(300), _ => new TaskCompletionSource<IReadOnlyList<int>>().Task, default);
        var failing = runner.RunAsync<int>("fail", TimeSpan.FromSeconds(3), _ => throw new InvalidOperationException("store locked"), default);
        var fine = runner.RunAsync<int>("fine", TimeSpan.FromSeconds(3), _ => Task.FromResult<IReadOnlyList<int>>([1, 2]), default);
        await Task.WhenAll(hanging, failing, fine);

        Assert.Equal("no answer within 0.3 s", (await hanging).Error);
        Assert.Empty((await hanging).Items);
        Assert.Equal("InvalidOperationException: store locked", (await failing).Error);
        Assert.Equal([1, 2], (await fine).Items);
        Assert.Null((await fine).Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_health_report_is_asked_once_per_five_seconds()
    {
        var calls = 0;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddCheck("vem", () =>
        {
            Interlocked.Increment(ref calls);
            return HealthCheckResult.Degraded("slow");
        });
        await using var provider = services.BuildServiceProvider();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var cache = new HealthReportCache(provider.GetRequiredService<HealthCheckService>(), time);

        var first = await cache.GetAsync(default);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => cache.GetAsync(default)));
        time.Advance(TimeSpan.FromSeconds(4));
        await cache.GetAsync(default);
        Assert.Equal(1, calls);
        Assert.Equal(HealthStatus.Degraded, first.Entries["vem"].Status);

        time.Advance(TimeSpan.FromSeconds(1));
        await cache.GetAsync(default);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Card_events_keep_the_last_fifty_newest_first_with_masked_card_numbers()
    {
        var hub = new CardEventHub(NullLogger<CardEventHub>.Instance);
        var time = new FakeTimeProvider();
        var events = new RecentCardEvents(hub, time);
        await events.StartAsync(default);
        for (var i = 0; i < 60; i++)
        {
            hub.CardTapped(new CardTapped(new CardIdentity($"360000{i:00}", "04A1B2C3D40001", CardTechnology.Desfire, "Virtual PCD 00 00", null, true), time.GetUtcNow().AddSeconds(i)));
        }

        hub.CardReadFailed(new CardReadFailed("Virtual PCD 00 01", CardReadError.AuthenticationFailed, new string('x', 1000), time.GetUtcNow()));
        hub.CardRemoved(new CardRemoved("Virtual PCD 00 00", time.GetUtcNow()));
        await events.StopAsync(default);
        hub.CardTapped(new CardTapped(new CardIdentity("36000099", "04", CardTechnology.Desfire, "late", null, true), time.GetUtcNow()));

        var rows = events.Snapshot();
        Assert.Equal(RecentCardEvents.Capacity, rows.Count);
        Assert.Equal(("readFailed", "Virtual PCD 00 01", "AuthenticationFailed"), (rows[0].Kind, rows[0].Reader, rows[0].Error));
        Assert.True(rows[0].Detail!.Length <= 301);
        Assert.Equal(("tapped", "****0059", "Desfire"), (rows[1].Kind, rows[1].Card, rows[1].Technology));
        Assert.Equal("****0011", rows[^1].Card); // 61 events: the failure and taps 59 down to 11
        Assert.DoesNotContain(rows, r => r.Card is { } c && c.Contains("3600", StringComparison.Ordinal));
    }

    [Fact]
    public void The_log_ring_keeps_warnings_and_above_with_their_message_rendered()
    {
        var ring = new RecentLogEvents();
        ring.Emit(Event(LogEventLevel.Information, "Sale {SaleId} paid", "s1"));
        ring.Emit(Event(LogEventLevel.Warning, "Upload of ticket {IdTicketEntete} failed", "42"));
        ring.Emit(Event(LogEventLevel.Error, "Long {Text}", new string('y', 5000)));

        var rows = ring.Snapshot();
        Assert.Equal(2, rows.Count);
        Assert.Equal(("Error", true), (rows[0].Level, rows[0].Message.Length <= 2001));
        Assert.Equal(("Warning", "Upload of ticket \"42\" failed"), (rows[1].Level, rows[1].Message));
    }

    private static LogEvent Event(LogEventLevel level, string template, string value)
    {
        var parsed = new MessageTemplateParser().Parse(template);
        var name = parsed.Tokens.OfType<PropertyToken>().Single().PropertyName;
        return new LogEvent(DateTimeOffset.UnixEpoch, level, null, parsed, [new LogEventProperty(name, new ScalarValue(value))]);
    }
}
