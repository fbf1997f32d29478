using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Middleware.Client;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// A full QR sale over the pipe, repeated: <c>sale.open</c>, <c>sale.setBasket</c>, <c>sale.identifyQr</c>, <c>sale.pay</c>
/// (Izly debit, journal, ticket committed to the outbox), against the real host executable (a child process with its
/// shipped settings, plugins.json, scripts and Serilog logging) and the sandbox on loopback (in this process).
/// <para>
/// <b>How the sandbox's share is measured.</b> The sandbox times every request it serves, from the start of its
/// pipeline to the end of its handler (<see cref="SandboxOptions.RequestObserver"/>). The middleware's share of a sale is
/// its total as the till sees it minus the sandbox time of the calls made during that sale. What the sandbox does not
/// time (the host's HTTP client, loopback TCP, Kestrel parsing the request) is counted as the middleware's: the share
/// reported is, if anything, too high. Between two sales the outbox's ticket upload is awaited, so that no background
/// upload falls inside a measured sale (its time is not the till's).
/// </para>
/// <para>
/// <b>Several tills.</b> With <c>--tills N</c> (N > 1) the host serves N points of sale (both sandbox restaurants, both
/// script sites) and, after the one-till figures, N tills sell at the same time, each on its own point of sale, as fast as
/// they can: the same sales in total, split between them. Their figures are as the tills see them (the sandbox's share
/// cannot be told apart when calls overlap), with the throughput of the whole site.
/// </para>
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- sale-load [sales] [warm-up sales] [--tills N] [--telemetry] [--keep-data]</c>
/// (<c>--telemetry</c>: one till, telemetry off then on, and the ratio; see <see cref="TelemetryOverheadAsync"/>;
/// <c>--host-arg=--Section:Key=value</c>, repeated: a setting given to the host, e.g. its status page during the run;
/// <c>--host-env=NAME=value</c>, repeated: an environment variable of the host only, e.g. <c>DOTNET_gcServer=1</c>).
/// </summary>
public static class SaleLoadGenerator
{
    public const string Command = "sale-load";
    private const string Customer = "1000015";
    private static string[] hostEnvironment = [];

    public static async Task<int> RunAsync(string[] args)
    {
        var telemetry = args.Contains("--telemetry");
        // The run's stores are deleted at the end (several hundred MB each), unless --keep-data.
        var keepData = args.Contains("--keep-data");
        // --host-arg=--Section:Key=value is given to the host (e.g. its status page and /metrics during a run).
        string[] hostArguments = [.. args.Where(a => a.StartsWith("--host-arg=", StringComparison.Ordinal)).Select(a => a["--host-arg=".Length..])];
        // --host-env=NAME=value is set in the host's environment (GC settings, DOTNET_ diagnostics) and not in this one's.
        hostEnvironment = [.. args.Where(a => a.StartsWith("--host-env=", StringComparison.Ordinal)).Select(a => a["--host-env=".Length..])];
        args = [.. args.Where(a => a != "--telemetry" && a != "--keep-data" && !a.StartsWith("--host-arg=", StringComparison.Ordinal) && !a.StartsWith("--host-env=", StringComparison.Ordinal))];
        var tillsAt = Array.IndexOf(args, "--tills");
        var tillCount = tillsAt >= 0 && tillsAt + 1 < args.Length ? int.Parse(args[tillsAt + 1], CultureInfo.InvariantCulture) : 1;
        var positional = tillsAt >= 0 ? [.. args[..tillsAt], .. args[(tillsAt + 2)..]] : args;
        var sales = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 300;
        var warmUp = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 30;
        var root = Path.Combine(Path.GetTempPath(), "mw-sale-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var timings = new ConcurrentQueue<SandboxRequestTiming>();
        var uploads = new UploadCounter();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            Port = 0,
            DatabasePath = Path.Combine(root, "sandbox.db"),
            RequestObserver = t =>
            {
                timings.Enqueue(t);
                uploads.Observe(t);
            },
        });
        await sandbox.SetBalanceAsync(Customer, 100_000_000);
        var site = sandbox.Seed.PointsOfSale.Where(p => !p.KeyRevoked).Take(Math.Max(1, tillCount)).ToList();
        if (site.Count < tillCount)
        {
            Console.Error.WriteLine($"The sandbox has {site.Count} usable points of sale; --tills {tillCount} asks more.");
            return 2;
        }

        for (var i = 0; i < site.Count; i++)
        {
            await sandbox.SetBalanceAsync(CustomerOf(i), 1_000_000_000);
        }

        if (telemetry)
        {
            return await TelemetryOverheadAsync(root, sandbox, site, timings, uploads, sales, warmUp);
        }

        var pipeName = "mwsale-" + Guid.NewGuid().ToString("N")[..8];
        using var host = StartHost(root, pipeName, sandbox, site, hostArguments);
        try
        {
            await using var till = await ConnectAsync(pipeName, host);
            await till.CallAsync("reference.sync");
            Console.WriteLine($"Sale load: {Environment.ProcessorCount} cores, {sales} measured sales after {warmUp} warm-up, host pid {host.Id}, data in {root}{(keepData ? "" : " (deleted at the end; --keep-data keeps it)")}");

            var results = new List<SaleTiming>(sales);
            var cpuBefore = TimeSpan.Zero;
            HostRuntime? runtimeBefore = null;
            var switchesBefore = default(HostContextSwitches);
            for (var i = 0; i < warmUp + sales; i++)
            {
                if (i == warmUp)
                {
                    runtimeBefore = await HostRuntime.ReadAsync(till);
                    host.Refresh();
                    cpuBefore = host.TotalProcessorTime;
                    switchesBefore = HostContextSwitches.Read(host.Id);
                }

                var result = await OneSaleAsync(till, sandbox, timings, uploads, i + 1);
                if (i >= warmUp)
                {
                    results.Add(result);
                }
            }

            host.Refresh();
            var cpuPerSale = (host.TotalProcessorTime - cpuBefore) / sales;
            var switches = HostContextSwitches.Read(host.Id);
            var runtimeAfter = await HostRuntime.ReadAsync(till);
            Print(results);
            Console.WriteLine(runtimeAfter.Budget(runtimeBefore!, sales));
            // CPU time does not grow when other processes crowd the cores, unlike wall time: the load-independent figure.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"host process CPU per sale (all threads, outbox upload and logging included): {cpuPerSale.TotalMilliseconds:F2} ms; machine load average {LoadAverage()}"));
            Console.WriteLine(switches.PerSale(switchesBefore, sales));
            if (site.Count > 1)
            {
                await SeveralTillsAsync(pipeName, host, sandbox, site, sales);
            }

            PrintDiskSync(root);
            return 0;
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
                await host.WaitForExitAsync();
            }

            if (!keepData)
            {
                DeleteStores(root);
            }
        }
    }

    /// <summary>The run's SQLite files and logs; the sandbox, still open, keeps its unlinked file until it ends.</summary>
    private static void DeleteStores(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Could not delete {root}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            Console.Error.WriteLine($"Could not delete {root}: {ex.Message}");
        }
    }

    private static readonly string[] CallNames = ["sale.open", "sale.setBasket", "sale.identifyQr", "sale.pay"];

    /// <summary>
    /// <c>--telemetry</c>: the same one-till sales on a host with telemetry off, then on a fresh host with telemetry on
    /// (every metric and the sale path's spans pushed by OTLP/HTTP each second to a local sink that reads and counts
    /// them), in one run against one sandbox; prints both and the ratios on/off.
    /// </summary>
    private static async Task<int> TelemetryOverheadAsync(string root, SandboxServer sandbox, IReadOnlyList<SandboxPointOfSale> site,
        ConcurrentQueue<SandboxRequestTiming> timings, UploadCounter uploads, int sales, int warmUp)
    {
        Console.WriteLine($"Sale load, telemetry off then on: {Environment.ProcessorCount} cores, {sales} measured sales after {warmUp} warm-up each, data in {root}");
        var off = await MeasureOneTillAsync(Path.Combine(root, "off"), sandbox, site, timings, uploads, sales, warmUp, []);
        Console.WriteLine("== telemetry off");
        Print(off.Results);
        using var sink = new OtlpSink();
        var on = await MeasureOneTillAsync(Path.Combine(root, "on"), sandbox, site, timings, uploads, sales, warmUp,
            ["--Telemetry:Enabled=true", $"--Telemetry:Otlp:Endpoint={sink.Endpoint}", "--Telemetry:Otlp:MetricsInterval=00:00:01"]);
        Console.WriteLine("== telemetry on (metrics every 1 s and traces, OTLP/HTTP to a local sink)");
        Print(on.Results);
        Console.WriteLine($"OTLP sink received {sink.Exports} exports, {sink.Bytes / 1024.0:F0} KiB");

        double P(List<SaleTiming> r, double p, bool middleware) => Percentile(r.Select(t => middleware ? t.Total - t.Sandbox : t.Total), p);
        Console.WriteLine("== ratio on / off");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whole sale p50 {P(off.Results, 0.5, false):F2} -> {P(on.Results, 0.5, false):F2} ms: x{P(on.Results, 0.5, false) / P(off.Results, 0.5, false):F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whole sale p99 {P(off.Results, 0.99, false):F2} -> {P(on.Results, 0.99, false):F2} ms: x{P(on.Results, 0.99, false) / P(off.Results, 0.99, false):F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"middleware share p50 {P(off.Results, 0.5, true):F2} -> {P(on.Results, 0.5, true):F2} ms: x{P(on.Results, 0.5, true) / P(off.Results, 0.5, true):F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"host CPU per sale {off.CpuPerSale.TotalMilliseconds:F2} -> {on.CpuPerSale.TotalMilliseconds:F2} ms: x{on.CpuPerSale / off.CpuPerSale:F3}; machine load average {LoadAverage()}"));
        return 0;
    }

    private static async Task<(List<SaleTiming> Results, TimeSpan CpuPerSale)> MeasureOneTillAsync(string root, SandboxServer sandbox, IReadOnlyList<SandboxPointOfSale> site,
        ConcurrentQueue<SandboxRequestTiming> timings, UploadCounter uploads, int sales, int warmUp, string[] hostArguments)
    {
        Directory.CreateDirectory(root);
        var pipeName = "mwsale-" + Guid.NewGuid().ToString("N")[..8];
        using var host = StartHost(root, pipeName, sandbox, site, hostArguments);
        try
        {
            await using var till = await ConnectAsync(pipeName, host);
            await till.CallAsync("reference.sync");
            var uploaded = uploads.Count; // the sandbox's count goes on from the previous host's tickets
            var results = new List<SaleTiming>(sales);
            var cpuBefore = TimeSpan.Zero;
            HostRuntime? runtimeBefore = null;
            for (var i = 0; i < warmUp + sales; i++)
            {
                if (i == warmUp)
                {
                    runtimeBefore = await HostRuntime.ReadAsync(till);
                    host.Refresh();
                    cpuBefore = host.TotalProcessorTime;
                }

                var result = await OneSaleAsync(till, sandbox, timings, uploads, uploaded + i + 1);
                if (i >= warmUp)
                {
                    results.Add(result);
                }
            }

            host.Refresh();
            return (results, (host.TotalProcessorTime - cpuBefore) / sales);
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
                await host.WaitForExitAsync();
            }
        }
    }

    private static async Task<SaleTiming> OneSaleAsync(MiddlewareClient till, SandboxServer sandbox, ConcurrentQueue<SandboxRequestTiming> timings, UploadCounter uploads, int ticketsExpected)
    {
        var qr = sandbox.IssueQrCode(Customer);
        timings.Clear();
        var result = await OneSaleAsync(till, qr, timings);
        // Let the outbox send this ticket before the next sale starts (the sandbox counts the uploads it served).
        await uploads.WaitForAsync(ticketsExpected, TimeSpan.FromSeconds(30));
        return result;
    }

    /// <summary>One QR sale; with <paramref name="timings"/>, the sandbox's share of each call is taken out of it.</summary>
    private static async Task<SaleTiming> OneSaleAsync(MiddlewareClient till, string qr, ConcurrentQueue<SandboxRequestTiming>? timings)
    {
        var marks = new long[CallNames.Length + 1];
        marks[0] = Stopwatch.GetTimestamp();
        var sale = await till.CallMutatingAsync("sale.open", new { });
        marks[1] = Stopwatch.GetTimestamp();
        var saleId = sale.GetProperty("saleId").GetString()!;
        await till.CallMutatingAsync("sale.setBasket", new { saleId, lines = new[] { new { codeArticle = 1201, quantity = 1 } } });
        marks[2] = Stopwatch.GetTimestamp();
        await till.CallMutatingAsync("sale.identifyQr", new { saleId, qrCode = qr });
        marks[3] = Stopwatch.GetTimestamp();
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" });
        marks[4] = Stopwatch.GetTimestamp();
        if (paid.GetProperty("state").GetString() != "Committed")
        {
            throw new InvalidOperationException($"Sale {saleId} ended {paid.GetProperty("state").GetString()}.");
        }

        // Only the calls that started inside this sale count; the ticket upload of the outbox is not the till's wait.
        var inside = (timings ?? []).Where(t => t.StartTimestamp >= marks[0] && t.StartTimestamp <= marks[4] && !t.Path.Contains("/remontee-caisse/", StringComparison.Ordinal)).ToList();
        var calls = new CallTiming[CallNames.Length];
        for (var c = 0; c < calls.Length; c++)
        {
            var (from, to) = (marks[c], marks[c + 1]);
            calls[c] = new CallTiming(Stopwatch.GetElapsedTime(from, to), inside.Where(t => t.StartTimestamp >= from && t.StartTimestamp < to).Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Elapsed));
        }

        return new SaleTiming(calls, inside.Count);
    }

    /// <summary>Counts the ticket uploads the sandbox has answered, and lets the generator wait for the next one.</summary>
    private sealed class UploadCounter
    {
        private readonly SemaphoreSlim changed = new(0);
        private int count;

        public int Count => Volatile.Read(ref count);

        public void Observe(SandboxRequestTiming timing)
        {
            if (timing.Method == "POST" && timing.Path.Contains("/remontee-caisse/", StringComparison.Ordinal) && timing.Status is >= 200 and < 300)
            {
                Interlocked.Increment(ref count);
                changed.Release();
            }
        }

        public async Task WaitForAsync(int expected, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Volatile.Read(ref count) < expected)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await changed.WaitAsync(left))
                {
                    throw new TimeoutException($"The outbox did not send ticket {expected} within {timeout.TotalSeconds:0} s.");
                }
            }
        }
    }

    // Each till sells its share as fast as it can, all at once; the site's throughput and the host's CPU per sale.
    private static async Task<(List<SaleTiming> Results, double SalesPerSecond, TimeSpan CpuPerSale)> SellAtOnceAsync(
        IReadOnlyList<MiddlewareClient> tills, Process host, SandboxServer sandbox, int perTill)
    {
        var results = new ConcurrentQueue<SaleTiming>();
        host.Refresh();
        var cpuBefore = host.TotalProcessorTime;
        var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(tills.Select((till, i) => Task.Run(async () =>
        {
            for (var n = 0; n < perTill; n++)
            {
                results.Enqueue(await OneSaleAsync(till, sandbox.IssueQrCode(CustomerOf(i)), null));
            }
        })));
        clock.Stop();
        host.Refresh();
        var total = perTill * tills.Count;
        // The tills and the sandbox share the 2 cores with the host: what they spend bounds the site's throughput too.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ({tills.Count} till(s): this process (tills and sandbox) used {((Process.GetCurrentProcess().TotalProcessorTime - ownBefore) / total).TotalMilliseconds:F2} ms of CPU per sale)"));
        return ([.. results], total / clock.Elapsed.TotalSeconds, (host.TotalProcessorTime - cpuBefore) / total);
    }

    // The load-test students of the sandbox seed (1000016..), one per till; the one-till phase keeps 1000015.
    private static string CustomerOf(int till) => (1000016 + till).ToString(CultureInfo.InvariantCulture);

    private static async Task SeveralTillsAsync(string pipeName, Process host, SandboxServer sandbox, IReadOnlyList<SandboxPointOfSale> site, int sales)
    {
        var tills = new List<MiddlewareClient>();
        try
        {
            foreach (var p in site)
            {
                var till = await ConnectAsync(pipeName, host, p.AppId);
                await till.CallAsync("reference.sync");
                tills.Add(till);
            }

            var perTill = Math.Max(1, sales / site.Count);
            // One till alone first, selling the same way as each of the N (as fast as it can, not waiting for the
            // upload of its tickets): the throughput and p99 the N tills are compared with.
            var (alone, aloneRate, _) = await SellAtOnceAsync(tills.Take(1).ToList(), host, sandbox, perTill * site.Count / 2);
            var runtimeBefore = await HostRuntime.ReadAsync(tills[0]);
            var (manyResults, rate, cpuPerSale) = await SellAtOnceAsync(tills, host, sandbox, perTill);
            var runtimeAfter = await HostRuntime.ReadAsync(tills[0]);
            var total = perTill * site.Count;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"1 till alone, as fast as it can ({alone.Count} sales): {aloneRate:F1} sales/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{site.Count} tills on {site.Count} points of sale at once, {perTill} sales each ({total} sales): {rate:F1} sales/s for the site (x{rate / aloneRate:F2} one till's); host CPU per sale {cpuPerSale.TotalMilliseconds:F2} ms; whole sale p99 x{Percentile(manyResults.Select(r => r.Total), 0.99) / Percentile(alone.Select(r => r.Total), 0.99):F2} one till's"));
            Console.WriteLine(runtimeAfter.Budget(runtimeBefore, total));
            Console.WriteLine($"(ms, as the till sees it)                    1 till p50  p99   |  {site.Count} tills p50   p99");
            var oneTill = alone;
            var many = manyResults;
            void Row(string what, Func<SaleTiming, TimeSpan> pick) =>
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{what,-42} {Percentile(oneTill.Select(pick), 0.50),8:F2} {Percentile(oneTill.Select(pick), 0.99),8:F2}  | {Percentile(many.Select(pick), 0.50),8:F2} {Percentile(many.Select(pick), 0.99),8:F2}"));
            Row("whole sale (4 calls)", r => r.Total);
            for (var c = 0; c < CallNames.Length; c++)
            {
                var call = c;
                Row(CallNames[call], r => r.Calls[call].Total);
            }
        }
        finally
        {
            foreach (var till in tills)
            {
                await till.DisposeAsync();
            }
        }
    }

    private static double Percentile(IEnumerable<TimeSpan> values, double p)
    {
        var sorted = values.Select(v => v.TotalMilliseconds).Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static void Print(List<SaleTiming> results)
    {
        void Row(string what, IEnumerable<TimeSpan> values) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-42} {Percentile(values, 0.50),9:F2} {Percentile(values, 0.99),9:F2} {values.Max(v => v.TotalMilliseconds),9:F2}"));

        Console.WriteLine($"sandbox calls per sale: {results.Min(r => r.SandboxCalls)}..{results.Max(r => r.SandboxCalls)}");
        Console.WriteLine("(ms)                                             p50       p99       max");
        Row("whole sale (4 calls), as the till sees it", results.Select(r => r.Total));
        Row("  of which in the sandbox", results.Select(r => r.Sandbox));
        Row("  middleware's own share", results.Select(r => r.Total - r.Sandbox));
        for (var c = 0; c < CallNames.Length; c++)
        {
            Row($"{CallNames[c]}, as the till sees it", results.Select(r => r.Calls[c].Total));
            Row("  middleware's own share", results.Select(r => r.Calls[c].Total - r.Calls[c].Sandbox));
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // The floor under the middleware's share: every durable commit (sale to Paying, payment intent,
    // ticket outbox) waits for one disk sync. Measured here, in the same folder, for context.
    private static void PrintDiskSync(string root)
    {
        var path = Path.Combine(root, "fsync.probe");
        var samples = new List<double>(200);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            var block = new byte[128];
            for (var i = 0; i < 200; i++)
            {
                file.Write(block);
                var start = Stopwatch.GetTimestamp();
                file.Flush(flushToDisk: true);
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        File.Delete(path);
        samples.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"disk sync (fsync of a 128-byte append) in {root}: p50 {samples[100]:F2} ms, p99 {samples[197]:F2} ms; a QR sale makes 3 durable commits (sale to Paying, payment intent, ticket)"));
    }

    private static async Task<MiddlewareClient> ConnectAsync(string pipeName, Process host, string? pointOfSale = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                return await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
                {
                    PipeName = pipeName,
                    PointOfSale = pointOfSale ?? SandboxSeed.MainTill.ToString(),
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                });
            }
            catch (Exception ex) when (ex is MiddlewareConnectionException or TimeoutException && DateTime.UtcNow < deadline && !host.HasExited)
            {
                await Task.Delay(250);
            }
        }
    }

    // The real host executable with its shipped settings; stores and logs in the benchmark's folder, Izly and VEM are
    // this process's sandbox.
    private static Process StartHost(string root, string pipeName, SandboxServer sandbox, IReadOnlyList<SandboxPointOfSale> site, params string[] extraArguments)
    {
        var url = sandbox.BaseUrl.ToString().TrimEnd('/');
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Host.dll"),
            $"--Pipe:PipeName={pipeName}", "--Host:Mode=console",
            $"--PluginsFile={Path.Combine(RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
            "--Sandbox:Enabled=false", $"--CrousApis:Vem:BaseUrl={url}", $"--CrousApis:Izly:BaseUrl={url}",
            $"--CrousApis:Reference:DatabasePath={Path.Combine(root, "reference.db")}",
            $"--Tickets:DatabasePath={Path.Combine(root, "tickets.db")}",
            $"--Payments:DatabasePath={Path.Combine(root, "payments.db")}",
            $"--Pipe:IdempotencyDatabasePath={Path.Combine(root, "idempotency.db")}",
            $"--Scripting:CacheDirectory={Path.Combine(root, "script-cache")}",
            $"--Serilog:WriteTo:1:Args:path={Path.Combine(root, "logs", "middleware-.log")}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Every till its own point of sale; RU 9's tills use its script site, RU 12's the cafeteria's.
        for (var i = 0; i < site.Count; i++)
        {
            start.ArgumentList.Add($"--PointsOfSale:{i}:Id={site[i].AppId}");
            start.ArgumentList.Add($"--PointsOfSale:{i}:Label={site[i].Label}");
            start.ArgumentList.Add($"--PointsOfSale:{i}:TimeZone=Europe/Paris");
            start.ArgumentList.Add($"--PointsOfSale:{i}:ScriptSite={(site[i].Id.Ru == 9 ? "crous-5/ru-9" : "crous-5/ru-12")}");
        }

        var secrets = Path.Combine(root, "secrets.json");
        File.WriteAllText(secrets, System.Text.Json.JsonSerializer.Serialize(new { vemInstallationKeys = site.ToDictionary(p => p.AppId, p => p.InstallationKey) }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        start.Environment["MW_SECRETS_FILE"] = secrets;
        // The embedded sandbox is refused in Production (the default environment): tests run the host as Development.
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var setting in hostEnvironment)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--host-env={setting}: expected NAME=value.");
            }

            start.Environment[setting[..equals]] = setting[(equals + 1)..];
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        // Drain the console (the host logs to it): a full pipe would block the host.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("host: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        return repo?.FullName ?? throw new InvalidOperationException("Run the benchmark from the repository's build output.");
    }

    private readonly record struct CallTiming(TimeSpan Total, TimeSpan Sandbox);

    private sealed record SaleTiming(CallTiming[] Calls, int SandboxCalls)
    {
        public TimeSpan Total => Calls.Aggregate(TimeSpan.Zero, (sum, c) => sum + c.Total);

        public TimeSpan Sandbox => Calls.Aggregate(TimeSpan.Zero, (sum, c) => sum + c.Sandbox);
    }
}
