using Microsoft.Extensions.Options;
using Middleware.Api.Izly;
using Middleware.PluginHost;

namespace Middleware.Payments.Journal;

/// <summary>
/// Checks at start that the timeouts of a payment nest, outer budgets covering the inner calls and their retries:
/// an Izly debit's HTTP timeout inside the payment's debit budget; a search with its retries inside the plugin host's
/// call budget; the settle delay well above the debit budget and its cancel grace. Otherwise a slow answer would be cut
/// by the wrong layer (a channel call given up while its HTTP request still runs) or a late debit could be settled as
/// "never arrived".
/// </summary>
internal sealed class TimeoutNestingValidator(IOptions<IzlyOptions> izly, IOptions<PluginHostOptions> pluginHost) : IValidateOptions<PaymentOptions>
{
    public ValidateOptionsResult Validate(string? name, PaymentOptions options)
    {
        var failures = new List<string>();
        var izlyOptions = izly.Value;
        var host = pluginHost.Value;
        if (izlyOptions.DebitTimeout >= options.DebitTimeout)
        {
            failures.Add($"CrousApis:Izly:DebitTimeout ({izlyOptions.DebitTimeout}) must be shorter than Payments:DebitTimeout ({options.DebitTimeout}).");
        }

        if (izlyOptions.WorstCaseRepeatableCall > host.CallTimeout)
        {
            failures.Add($"CrousApis:Izly:Timeout × (Retry:MaxRetries + 1) plus backoffs ({izlyOptions.WorstCaseRepeatableCall}) must fit in PluginHost:CallTimeout ({host.CallTimeout}).");
        }

        var settleFloor = (options.DebitTimeout + host.CancelGrace) * 2;
        if (options.SettleDelay < settleFloor)
        {
            failures.Add($"Payments:SettleDelay ({options.SettleDelay}) must be at least twice Payments:DebitTimeout plus PluginHost:CancelGrace ({settleFloor}).");
        }

        if (options.StatusTimeout < izlyOptions.WorstCaseRepeatableCall)
        {
            failures.Add($"Payments:StatusTimeout ({options.StatusTimeout}) must cover an Izly status lookup with its retries ({izlyOptions.WorstCaseRepeatableCall}).");
        }

        if (options.TerminalPaymentTimeout < TimeSpan.FromSeconds(1) || options.TerminalPaymentTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Payments:TerminalPaymentTimeout ({options.TerminalPaymentTimeout}) must be from 1 s to 10 min (a terminal waits at most 10 min).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
