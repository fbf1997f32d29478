using Microsoft.Extensions.Options;
using Middleware.Api.Izly;
using Middleware.Payments.Journal;
using Middleware.PluginHost;

namespace Middleware.Payments.Tests.Journal;

public sealed class TimeoutNestingValidatorTests
{
    [Fact]
    public void The_documented_defaults_nest()
    {
        var result = Validate(new PaymentOptions(), new IzlyOptions(), new PluginHostOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
        // 4 s + 0.4 s (200 ms backoff counted twice for jitter) + 4 s: inside the 10 s call budget.
        Assert.Equal(TimeSpan.FromSeconds(8.4), new IzlyOptions().WorstCaseRepeatableCall);
    }

    [Fact]
    public void An_Izly_debit_timeout_not_shorter_than_the_payment_budget_is_refused()
    {
        var result = Validate(new PaymentOptions { DebitTimeout = TimeSpan.FromSeconds(20) }, new IzlyOptions(), new PluginHostOptions());

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("CrousApis:Izly:DebitTimeout (00:00:20) must be shorter than Payments:DebitTimeout (00:00:20)", failure);
    }

    [Fact]
    public void A_search_whose_retries_outlast_the_plugin_call_budget_is_refused()
    {
        // The former defaults: 10 s per attempt, 3 retries, inside a 10 s channel call.
        var izly = new IzlyOptions { Timeout = TimeSpan.FromSeconds(10) };
        izly.Retry.MaxRetries = 3;

        var result = Validate(new PaymentOptions { StatusTimeout = TimeSpan.FromMinutes(1) }, izly, new PluginHostOptions());

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("must fit in PluginHost:CallTimeout (00:00:10)", failure);
        Assert.Equal(TimeSpan.FromSeconds(40 + 0.4 + 0.8 + 1.6), izly.WorstCaseRepeatableCall);
    }

    [Fact]
    public void A_settle_delay_close_to_the_debit_budget_is_refused_and_every_broken_rule_is_listed()
    {
        var payments = new PaymentOptions { SettleDelay = TimeSpan.FromSeconds(40), StatusTimeout = TimeSpan.FromSeconds(5) };

        var result = Validate(payments, new IzlyOptions(), new PluginHostOptions());

        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("Payments:SettleDelay (00:00:40) must be at least twice Payments:DebitTimeout plus PluginHost:CancelGrace (00:01:04)"));
        Assert.Contains(result.Failures!, f => f.Contains("Payments:StatusTimeout (00:00:05) must cover an Izly status lookup"));
    }

    private static ValidateOptionsResult Validate(PaymentOptions payments, IzlyOptions izly, PluginHostOptions host) =>
        new TimeoutNestingValidator(Options.Create(izly), Options.Create(host)).Validate(null, payments);
}
