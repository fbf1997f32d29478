using System.Diagnostics;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Plugins;
using Middleware.Domain.Errors;
using Middleware.Plugins.Testing.Fakes;
using Middleware.Plugins.Testing.Hosting;
using Middleware.Plugins.Testing.Reporting;

namespace Middleware.Plugins.Testing.Channels;

/// <summary>The channel profile: a payment channel loaded by the real catalog with the kit's Izly gateway, called the
/// way the host's sales call it (through the catalog, with a budget).</summary>
internal sealed class ChannelProfile(ChannelKitOptions options, KitHost host, FakeIzlyGateway gateway)
{
    private readonly CheckRecorder _checks = new();
    private bool _web;
    private PaymentMedium _medium = new WebMedium(null);

    private string Id => options.PluginId;

    public async Task<IReadOnlyList<ConformanceCheck>> RunAsync()
    {
        await _checks.RunAsync("contract version", () => CommonChecks.ContractVersionAsync(host, options));
        await _checks.RunAsync("loads Active in a real catalog", LoadsActiveAsync);
        await _checks.RunAsync("calls answer through the catalog", AnswersAsync);
        foreach (var call in Calls())
        {
            await _checks.RunAsync($"{call.Name} honours cancellation", () => CancellationAsync(call));
        }

        await _checks.RunAsync("Izly refusal passes as a contract answer", () => AnswerExceptionAsync(FakeGatewayBehaviour.Refuse, typeof(IzlyRefusedException)));
        await _checks.RunAsync("Izly unavailable passes as a contract answer", () => AnswerExceptionAsync(FakeGatewayBehaviour.Unavailable, typeof(IzlyUnavailableException)));
        await _checks.RunAsync("lifecycle: start, stop, start again", LifecycleAsync);
        await _checks.RunAsync("hot reload unloads the old version", () => CommonChecks.HotReloadAsync(host, options, AnswersAsync));
        return _checks.Checks;
    }

    private async Task<string> LoadsActiveAsync()
    {
        _web = host.Catalog.ActivePlugins<IWebPaymentChannelPlugin>().Contains(Id);
        var detail = _web
            ? await CommonChecks.LoadsActiveAsync<IWebPaymentChannelPlugin>(host, options)
            : await CommonChecks.LoadsActiveAsync<IPaymentChannelPlugin>(host, options);
        var channel = _web
            ? await host.Catalog.InvokeAsync<IWebPaymentChannelPlugin, string>(Id, (p, _) => Task.FromResult(p.Channel), CancellationToken.None)
            : await host.Catalog.InvokeAsync<IPaymentChannelPlugin, string>(Id, (p, _) => Task.FromResult(p.Channel), CancellationToken.None);
        _medium = options.SampleMedium ?? ChannelKitOptions.DefaultMedium(channel);
        CheckFailedException.Unless(_web || _medium.Channel == channel, $"channel '{channel}' but the sample medium is for '{_medium.Channel}'");
        return $"{detail}; channel '{channel}'{(_web ? " (web)" : "")}";
    }

    private sealed record Call(string Name, Func<IPlugin, CancellationToken, Task<string>> Run);

    private IEnumerable<Call> Calls()
    {
        if (_web)
        {
            yield return new Call("StartAsync (web)", async (p, ct) =>
                (await ((IWebPaymentChannelPlugin)p).StartAsync(options.PointOfSale, "KIT-1", 3.30m, "kit", null, null, ct)).OperationId);
            yield return new Call("GetStateAsync (web)", async (p, ct) =>
                (await ((IWebPaymentChannelPlugin)p).GetStateAsync(options.PointOfSale, "OP-KIT-1", "KIT-1", ct)).Status.ToString());
        }
        else
        {
            var medium = _medium;
            yield return new Call("IdentifyAsync", async (p, ct) =>
                (await ((IPaymentChannelPlugin)p).IdentifyAsync(options.PointOfSale, medium, ct)).Identifier);
            yield return new Call("DebitAsync", async (p, ct) =>
                (await ((IPaymentChannelPlugin)p).DebitAsync(new DebitRequest(options.PointOfSale, "KIT-1", 3.30m, medium), ct)).Status.ToString());
        }
    }

    private async Task<string> AnswersAsync()
    {
        gateway.Behaviour = FakeGatewayBehaviour.Answer;
        var answers = new List<string>();
        foreach (var call in Calls())
        {
            var answer = await host.Catalog.InvokeAsync<IPlugin, string>(Id, call.Run, TimeSpan.FromSeconds(5), CancellationToken.None);
            answers.Add($"{call.Name} -> {answer}");
        }

        CheckFailedException.Unless(gateway.Calls > 0, "the plugin never called the Izly gateway");
        return string.Join("; ", answers);
    }

    private async Task<string> CancellationAsync(Call call)
    {
        gateway.Behaviour = FakeGatewayBehaviour.Hang;
        var watch = Stopwatch.StartNew();
        try
        {
            var answer = await host.Catalog.InvokeAsync<IPlugin, string>(Id, call.Run, options.CallBudget, CancellationToken.None);
            throw new CheckFailedException($"answered '{answer}' although Izly never did");
        }
        catch (MiddlewareException ex) when (ex.Code == ErrorCode.PluginTimeout)
        {
            var elapsed = watch.Elapsed;
            var status = host.Status(Id);
            CheckFailedException.Unless(status.State == PluginState.Active, $"the plugin ignored its cancelled token: {status.State} ({status.Reason})");
            var bound = options.CallBudget + options.CancelGrace;
            CheckFailedException.Unless(elapsed <= bound, $"returned after {elapsed.TotalMilliseconds:0} ms, bound {bound.TotalMilliseconds:0} ms");
            return $"PluginTimeout after {elapsed.TotalMilliseconds:0} ms (budget {options.CallBudget.TotalMilliseconds:0} ms + grace {options.CancelGrace.TotalMilliseconds:0} ms); plugin Active";
        }
        catch (MiddlewareException ex)
        {
            throw new CheckFailedException($"{ex.Code}: {ex.Message}");
        }
        finally
        {
            gateway.Behaviour = FakeGatewayBehaviour.Answer;
        }
    }

    private async Task<string> AnswerExceptionAsync(FakeGatewayBehaviour behaviour, Type expected)
    {
        gateway.Behaviour = behaviour;
        var seen = new List<string>();
        try
        {
            foreach (var call in Calls().Where(c => !c.Name.StartsWith("GetState", StringComparison.Ordinal)))
            {
                try
                {
                    var answer = await host.Catalog.InvokeAsync<IPlugin, string>(Id, call.Run, TimeSpan.FromSeconds(5), CancellationToken.None);
                    throw new CheckFailedException($"{call.Name} answered '{answer}' although Izly did not");
                }
                catch (Exception ex) when (ex.GetType() == expected)
                {
                    seen.Add($"{call.Name} -> {ex.GetType().Name}");
                }
                catch (MiddlewareException ex)
                {
                    throw new CheckFailedException($"{call.Name}: {ex.Code} ({ex.Message}); a contract answer was expected");
                }
            }

            var status = host.Status(Id);
            CheckFailedException.Unless(status.State == PluginState.Active, $"{status.State}: {status.Reason}");
            return string.Join("; ", seen) + "; plugin Active";
        }
        finally
        {
            gateway.Behaviour = FakeGatewayBehaviour.Answer;
        }
    }

    private async Task<string> LifecycleAsync()
    {
        var disabled = await host.Control.DisableAsync(Id, CancellationToken.None);
        CheckFailedException.Unless(disabled.State == PluginState.Disabled, $"after stop: {disabled.State} ({disabled.Reason})");
        var enabled = await host.Control.EnableAsync(Id, CancellationToken.None);
        CheckFailedException.Unless(enabled.State == PluginState.Active, $"after start again: {enabled.State} ({enabled.Reason})");
        return "stopped, started again; " + await AnswersAsync();
    }
}
