using System.Collections.Concurrent;
using Middleware.Client;

namespace Middleware.Chaos.Tests;

/// <summary>
/// Shakes the site while the tills sell: sandbox faults (5xx, latency past every timeout, hangs, answers dropped after
/// the change was committed, token expiry, a revoked installation key for a while), hot reloads of plugins and scripts,
/// and kill -9 of the host followed by a restart on the same stores. Each event is logged with its time.
/// </summary>
internal sealed class ChaosMonkey(ChaosProfile profile, HostProcess host, SandboxProcess sandbox, IReadOnlyList<ChaosTill> tills)
{
    private readonly Random _random = new(profile.Seed);

    public ConcurrentQueue<string> Events { get; } = new();

    public ConcurrentDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public int Kills => Counts.GetValueOrDefault("kill -9 of the host and restart");

    public async Task RunAsync(Func<bool> mayStop, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var killEvery = profile.Duration / (profile.Kills + 1);
        var nextKill = started + killEvery;
        while (true)
        {
            var elapsed = DateTime.UtcNow - started;
            if (elapsed >= profile.Duration && Kills >= profile.Kills && mayStop())
            {
                return;
            }

            await Task.Delay(profile.EventEvery + TimeSpan.FromMilliseconds(_random.Next(0, 1000)), ct);
            if (DateTime.UtcNow >= nextKill)
            {
                nextKill = DateTime.UtcNow + killEvery;
                await Do("kill -9 of the host and restart", async () =>
                {
                    await host.KillAsync();
                    await Task.Delay(_random.Next(100, 1500), ct);
                    await host.StartAsync(ct);
                });
                continue;
            }

            var pick = _random.Next(tills.Any(t => t.Reader is not null) ? 12 : 11);
            var tillPos = tills[_random.Next(tills.Count)].PointOfSale;
            switch (pick)
            {
                case 0:
                    await Do("5xx on 30% of API calls for 4 s", () => ForAWhile(new { path = "/api/*", errorRate = 0.3, errorStatus = 503 }, 4000, ct));
                    break;
                case 1:
                    await Do("one Izly debit answered after 12 s (past every budget)", () => sandbox.AddFaultAsync(new { path = "/api/payments*", method = "POST", latencyMs = 12000, times = 1 }, ct));
                    break;
                case 2:
                    await Do("one Izly debit hangs", () => sandbox.AddFaultAsync(new { path = "/api/payments*", method = "POST", hang = true, times = 1 }, ct));
                    break;
                case 3:
                    await Do("two Izly debits committed, answers dropped", () => sandbox.AddFaultAsync(new { path = "/api/payments*", method = "POST", dropAfterCommit = true, times = 2 }, ct));
                    break;
                case 4:
                    await Do("two ticket uploads committed, answers dropped", () => sandbox.AddFaultAsync(new { path = "*remontee-caisse*", method = "POST", dropAfterCommit = true, times = 2 }, ct));
                    break;
                case 5:
                    await Do("every VEM token expired", () => sandbox.ExpireTokensAsync(ct));
                    break;
                case 6:
                    await Do("installation key revoked for 5 s", async () =>
                    {
                        await sandbox.SetRevokedAsync(tillPos, true, ct);
                        await Task.Delay(5000, ct);
                        await sandbox.SetRevokedAsync(tillPos, false, ct);
                    });
                    break;
                case 7:
                    await Do("hot reload of a channel plugin", () => ReloadPluginAsync(_random.Next(2) == 0 ? "channel.qr" : "channel.izlypay", ct));
                    break;
                case 8:
                    await Do("hot reload of a site's pricing script", () => TouchScriptAsync(ct));
                    break;
                case 9:
                    await Do("slow network: +400 ms on every API call for 4 s", () => ForAWhile(new { path = "/api/*", latencyMs = 400 }, 4000, ct));
                    break;
                case 10:
                    // A proxy's answer after Izly debited: an unexpected status is an unknown outcome, never a refusal.
                    var status = new[] { 404, 409, 502 }[_random.Next(3)];
                    await Do($"one Izly debit made, answered {status}", () => sandbox.AddFaultAsync(new { path = "/api/payments*", method = "POST", errorAfterCommit = true, errorStatus = status, times = 1 }, ct));
                    break;
                default:
                    await Do("pcscd restarted (cards on the readers drop)", () => Pcscd.RestartAsync(ct));
                    break;
            }
        }
    }

    private async Task ForAWhile(object rule, int milliseconds, CancellationToken ct)
    {
        var id = await sandbox.AddFaultAsync(rule, ct);
        await Task.Delay(milliseconds, ct);
        await sandbox.RemoveFaultAsync(id, ct);
    }

    private async Task ReloadPluginAsync(string pluginId, CancellationToken ct)
    {
        // The host's own account is an operator (PROTOCOL.md, operator methods).
        await using var client = await MiddlewareClient.ConnectAsync(host.ClientOptions(tills[0].PointOfSale, "chaos-operator"), ct);
        await client.CallAsync("plugins.reload", new { pluginId }, ct);
    }

    private async Task TouchScriptAsync(CancellationToken ct)
    {
        var site = _random.Next(2) == 0 ? "ru-9" : "ru-12";
        var file = Path.Combine(host.ScriptsRoot, "sites", "crous-5", site, site == "ru-9" ? "pricing.csx" : "mapping.csx");
        var text = await File.ReadAllTextAsync(file, ct);
        // A saved edit that changes nothing the till sees: the engine compiles it and swaps it in under load.
        await File.WriteAllTextAsync(file, text + $"// chaos edit {DateTime.UtcNow:O}\n", ct);
    }

    private async Task Do(string what, Func<Task> action)
    {
        var at = DateTime.UtcNow;
        try
        {
            await action();
            Counts.AddOrUpdate(what, 1, (_, n) => n + 1);
            Events.Enqueue($"{at:HH:mm:ss.fff} {what}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Events.Enqueue($"{at:HH:mm:ss.fff} {what} FAILED: {e.GetType().Name}: {e.Message}");
            Counts.AddOrUpdate(what + " (failed)", 1, (_, n) => n + 1);
            if (!host.IsRunning)
            {
                await host.StartAsync(CancellationToken.None);
            }
        }
    }
}
