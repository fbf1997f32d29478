using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Chaos.Tests;

/// <summary>What a run measured and found.</summary>
internal sealed record ChaosResult(ChaosProfile Profile, IReadOnlyList<ReconciliationRow> Rows, IReadOnlyList<string> SecretsInLogs, int Sales, int Committed,
    int Kills, TimeSpan Elapsed, long MaxHostRssKb, string Report, string Root)
{
    /// <summary>Deletes the run's SQLite files (1 to 3 GB for a short run; 50 runs had filled 43 GB of a developer's
    /// disk), keeping the report, the events and the logs. Called once a run passed: a failed run keeps everything.</summary>
    public long DropStores()
    {
        long freed = 0;
        foreach (var file in Directory.EnumerateFiles(Root, "*.db*"))
        {
            freed += new FileInfo(file).Length;
            File.Delete(file);
        }

        return freed;
    }
}

/// <summary>
/// One chaos run: the sandbox as its own process, the real host serving every till's point of sale, the tills selling
/// while <see cref="ChaosMonkey"/> shakes everything, then a calm period in which the host settles what it owes, and
/// the reconciliation from the sandbox's records.
/// </summary>
internal static class ChaosRun
{
    public static async Task<ChaosResult> RunAsync(ChaosProfile profile, Action<string> log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var runStarted = DateTimeOffset.UtcNow;
        var root = Path.Combine(Path.GetTempPath(), "mw-chaos", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(root);
        CopyFolder(Path.Combine(HostProcess.RepositoryRoot(), "scripts"), Path.Combine(root, "scripts"));
        log($"chaos profile {profile.Name}: {profile.Tills} tills, {profile.Duration.TotalMinutes:0.#} min, >= {profile.MinSales} sales, {profile.Kills} kills, seed {profile.Seed}; files in {root}");

        await using var sandbox = await SandboxProcess.StartAsync(root, ct);
        var seed = await sandbox.GetSeedAsync(ct);
        var keys = seed.GetProperty("pointsOfSale").EnumerateArray().ToDictionary(p => p.GetProperty("appId").GetString()!, p => p.GetProperty("installationKey").GetString()!);
        var tills = ChaosSite.Tills(profile.Tills, profile.CardTills);
        // The virtual readers are shared by every PC/SC test of the machine: held while the tills sell, not longer.
        FileStream? readers = null;
        if (tills.Any(t => t.Reader is not null))
        {
            readers = await Middleware.Tests.Pcsc.PcscTestLock.AcquireAsync(TimeSpan.FromMinutes(10));
            await Pcscd.StartAsync(ct);
        }

        foreach (var t in tills)
        {
            await sandbox.SetBalanceAsync(t.Customer, 1_000_000_000, ct);
        }

        await using var host = new HostProcess(root, sandbox.BaseUrl, tills, keys);
        await host.StartAsync(ct);
        foreach (var t in tills)
        {
            await using var c = await MiddlewareClient.ConnectAsync(host.ClientOptions(t.PointOfSale, "chaos-setup"), ct);
            await c.CallAsync("reference.sync", null, ct);
        }

        await InjectReconciliationFaultsAsync(sandbox, profile, ct);
        var ledger = new TillLedger();
        var monkey = new ChaosMonkey(profile, host, sandbox, tills);
        using var stopSelling = new CancellationTokenSource();
        var rss = new RssSampler(() => host.Pid);
        var rssTask = rss.RunAsync(stopSelling.Token);
        var sellers = tills.Select(t => new SimulatedTill(t, host, sandbox, ledger, profile.Seed * 31 + t.Index)).ToList();
        var selling = sellers.Select(s => Task.Run(() => s.RunAsync(stopSelling.Token, ct), ct)).ToList();
        await monkey.RunAsync(() => ledger.Sales.Count >= profile.MinSales, ct);
        log($"chaos over after {clock.Elapsed.TotalSeconds:0} s: {ledger.Sales.Count} sales started, {monkey.Kills} kills; letting the tills finish their sales");

        // Calm: no more faults, keys back, the host up; the tills finish their current sale.
        await stopSelling.CancelAsync();
        await sandbox.ClearFaultsAsync(ct);
        foreach (var t in tills)
        {
            await sandbox.SetRevokedAsync(t.PointOfSale, false, ct);
        }

        if (!host.IsRunning)
        {
            await host.StartAsync(ct);
        }

        try
        {
            await Task.WhenAll(selling).WaitAsync(TimeSpan.FromMinutes(6), ct);
            await rssTask;
        }
        finally
        {
            if (readers is not null)
            {
                await readers.DisposeAsync();
            }
        }

        var explanations = await SettleAsync(host, tills, log, ct);
        var injected = await LateConfirmationsDoneAsync(sandbox, log, ct);
        var cleIzly = seed.GetProperty("pointsOfSale").EnumerateArray().ToDictionary(p => p.GetProperty("appId").GetString()!, p => p.GetProperty("cleIzly").GetString()!);
        var izlyList = new List<(string AppId, JsonElement Operation)>();
        foreach (var t in tills)
        {
            izlyList.AddRange((await sandbox.ListIzlyOperationsAsync(t.PointOfSale, cleIzly[t.PointOfSale], runStarted.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), ct))
                .Select(o => (t.PointOfSale, o)));
        }

        var (replays, replayMismatches) = await ReplayAsync(host, ledger, profile, log, ct);
        var vemTickets = await sandbox.GetTicketsAsync(ct);
        var transactions = await sandbox.GetTransactionsAsync(ct);
        var webPayments = await sandbox.GetWebPaymentsAsync(ct);
        var rows = Reconciliation.Run(ledger, vemTickets, transactions, webPayments, explanations, replayMismatches, replays, injected, izlyList).ToList();
        // The day close, after the replays (they must not find a closed day any different) and from the same records.
        rows.AddRange(await DayCloseCheck.RunAsync(host, tills[0].PointOfSale, vemTickets, transactions, webPayments, injected, explanations, ct));
        var secrets = SecretsScan.Find(root, seed);
        clock.Stop();

        var sales = ledger.Sales.Count;
        var committed = ledger.Sales.Count(s => s.FinalState == "Committed");
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Chaos run, profile {profile.Name}, seed {profile.Seed}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");
        report.AppendLine(CultureInfo.InvariantCulture, $"{profile.Tills} tills on {profile.Tills} points of sale (2 restaurants, 2 script sites, {tills.Count(t => t.Reader is not null)} card readers); {sales} sales ({committed} committed) in {clock.Elapsed.TotalMinutes:0.0} min; host max RSS {rss.MaxKb / 1024} MiB");
        report.AppendLine("Sales by kind (final state as the till saw it): " + string.Join("; ", ledger.Sales.GroupBy(s => s.Kind).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} {g.Count()} ({string.Join(", ", g.GroupBy(s => s.FinalState ?? "none").Select(f => $"{f.Count()} {f.Key}"))})")));
        report.AppendLine();
        report.AppendLine(Reconciliation.Format(rows));
        report.AppendLine("Till outcomes (handled as a real till would):");
        foreach (var (what, n) in ledger.Outcomes.OrderByDescending(o => o.Value))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- {what}: {n}");
        }

        report.AppendLine("Chaos events:");
        foreach (var (what, n) in monkey.Counts.OrderByDescending(o => o.Value))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- {what}: {n}");
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"Secrets found in {root}/logs and the host's console: {secrets.Count}");
        foreach (var s in secrets.Take(10))
        {
            report.AppendLine("- " + s);
        }

        await File.WriteAllTextAsync(Path.Combine(root, "report.md"), report.ToString(), ct);
        await File.WriteAllLinesAsync(Path.Combine(root, "events.log"), monkey.Events, ct);
        var last = Path.Combine(HostProcess.RepositoryRoot(), ".artifacts", "chaos");
        Directory.CreateDirectory(last);
        await File.WriteAllTextAsync(Path.Combine(last, $"last-{profile.Name}.md"), report.ToString(), ct);
        return new ChaosResult(profile, rows, secrets, sales, committed, monkey.Kills, clock.Elapsed, rss.MaxKb, report.ToString(), root);
    }

    /// <summary>
    /// The sandbox's two reconciliation faults, each for the profile's number of cases, drawn among the run's first
    /// eligible requests: IzlyPay confirmations that reach Izly after the host gave up (30 % of confirmations until the
    /// count is reached), and new Izly-paid tickets VEM refuses after the debit (5 % of them).
    /// </summary>
    private static async Task InjectReconciliationFaultsAsync(SandboxProcess sandbox, ChaosProfile profile, CancellationToken ct)
    {
        if (profile.LateConfirmations > 0)
        {
            await sandbox.AddFaultAsync(new { lateConfirmationMs = (int)ChaosProfile.LateConfirmationDelay.TotalMilliseconds, probability = 0.3, times = profile.LateConfirmations }, ct);
        }

        if (profile.RefusedTickets > 0)
        {
            await sandbox.AddFaultAsync(new { refuseTicketAfterDebit = true, probability = 0.05, times = profile.RefusedTickets }, ct);
        }
    }

    /// <summary>Waits until every late confirmation the sandbox held has reached Izly; returns the injected cases.</summary>
    private static async Task<JsonElement> LateConfirmationsDoneAsync(SandboxProcess sandbox, Action<string> log, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ChaosProfile.LateConfirmationDelay + TimeSpan.FromSeconds(30);
        while (true)
        {
            var injected = await sandbox.GetInjectedFaultsAsync(ct);
            var late = injected.EnumerateArray().Where(i => i.GetProperty("kind").GetString() == "lateIzlyPayConfirmation")
                .Select(i => i.GetProperty("idTransactionIzly").GetString()).ToHashSet(StringComparer.Ordinal);
            var waiting = (await sandbox.GetWebPaymentsAsync(ct)).EnumerateArray()
                .Count(w => late.Contains(w.GetProperty("operationId").GetString()) && w.GetProperty("status").GetInt32() == 0);
            if (waiting == 0)
            {
                return injected;
            }

            if (DateTime.UtcNow > deadline)
            {
                log($"{waiting} late IzlyPay confirmations still waiting at the sandbox after {ChaosProfile.LateConfirmationDelay.TotalSeconds + 30:0} s");
                return injected;
            }

            await Task.Delay(500, ct);
        }
    }

    /// <summary>Waits until every point of sale's outbox is empty (sent or dead); returns the host's explanations.</summary>
    private static async Task<HostExplanations> SettleAsync(HostProcess host, IReadOnlyList<ChaosTill> tills, Action<string> log, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        var dead = new HashSet<(string, long)>();
        var unticketed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in tills)
        {
            await using var c = await MiddlewareClient.ConnectAsync(host.ClientOptions(t.PointOfSale, "chaos-settle"), ct);
            while (true)
            {
                var status = await c.CallAsync("outbox.status", null, ct);
                if (status.GetProperty("pending").GetInt32() == 0)
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    log($"{t.PointOfSale}: the outbox still has {status.GetProperty("pending").GetInt32()} pending tickets after the calm period");
                    break;
                }

                await Task.Delay(500, ct);
            }

            foreach (var d in (await c.CallAsync("outbox.list", new { state = "Dead", limit = 1000 }, ct)).EnumerateArray())
            {
                dead.Add((t.PointOfSale, long.Parse(d.GetProperty("idTicketEntete").GetString()!, CultureInfo.InvariantCulture)));
            }
        }

        await using (var c = await MiddlewareClient.ConnectAsync(host.ClientOptions(tills[0].PointOfSale, "chaos-operator"), ct))
        {
            foreach (var s in (await c.CallAsync("sales.unticketed", new { limit = 1000 }, ct)).EnumerateArray())
            {
                unticketed[s.GetProperty("saleId").GetString()!] = $"{s.GetProperty("pointOfSale").GetString()}: {s.GetProperty("code")} {s.GetProperty("reason")}";
            }
        }

        return new HostExplanations(dead, unticketed);
    }

    /// <summary>Sends every recorded mutating call again with its requestId: each must answer exactly as the till saw it.</summary>
    private static async Task<(int Replays, int Mismatches)> ReplayAsync(HostProcess host, TillLedger ledger, ChaosProfile profile, Action<string> log, CancellationToken ct)
    {
        // Negative codes (bad parameters) are not kept by design (PROTOCOL.md §3): not replayable.
        var calls = ledger.Calls.Where(c => !c.Answer.StartsWith("error -", StringComparison.Ordinal)).ToList();
        var sample = profile.Name == "long" ? calls.OrderBy(c => c.RequestId).Take(5000).ToList() : calls;
        var mismatches = 0;
        var clients = new Dictionary<string, MiddlewareClient>(StringComparer.Ordinal);
        try
        {
            foreach (var call in sample)
            {
                if (!clients.TryGetValue(call.PointOfSale, out var client))
                {
                    client = clients[call.PointOfSale] = await MiddlewareClient.ConnectAsync(host.ClientOptions(call.PointOfSale, "chaos-replay"), ct);
                }

                string again;
                try
                {
                    again = SimulatedTill.Answer.Of(await client.CallMutatingAsync(call.Method, new Dictionary<string, object?>(call.Parameters), call.RequestId, ct)).Text;
                }
                catch (MiddlewareRpcException e)
                {
                    again = SimulatedTill.Answer.Of(e).Text;
                }

                if (again != call.Answer)
                {
                    if (++mismatches <= 5)
                    {
                        log($"replay of {call.Method} {call.RequestId} at {call.PointOfSale} differs:\n  first: {Cut(call.Answer)}\n  again: {Cut(again)}");
                    }
                }
            }
        }
        finally
        {
            foreach (var c in clients.Values)
            {
                await c.DisposeAsync();
            }
        }

        return (sample.Count, mismatches);
    }

    private static string Cut(string s) => s.Length > 400 ? s[..400] + "..." : s;

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Samples the host's resident memory (VmRSS) every second, across restarts.</summary>
    private sealed class RssSampler(Func<int> pid)
    {
        public long MaxKb { get; private set; }

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var line = File.ReadLines($"/proc/{pid()}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                    if (line is not null && long.TryParse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture, out var kb))
                    {
                        MaxKb = Math.Max(MaxKb, kb);
                    }
                }
                catch (IOException)
                {
                    // The host is between a kill and its restart.
                }

                try
                {
                    await Task.Delay(1000, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
