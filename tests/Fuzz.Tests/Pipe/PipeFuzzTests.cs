using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>
/// Fuzzes the till pipe of the real host (a child process with its embedded sandbox): every method of its registry,
/// every parameter with every wrong type, and the framing's edge cases (PipeInputGenerator). CI runs 20,000 inputs;
/// <c>MW_FUZZ_INPUTS=1000000</c> is the long profile (README, "Long profiles").
/// </summary>
public sealed class PipeFuzzTests(ITestOutputHelper output)
{
    /// <summary>Parallel connections: the host serves several tills, and two cores are kept busy.</summary>
    private const int Connections = 3;

    /// <summary>Ceiling of the host's peak resident memory (VmHWM). Measured (2026-12-07, 2-core VM under heavy load, two
    /// runs of 1,000,000 inputs): peaks of 985 and 1,052 MiB; 20,000 inputs: 550–600 MiB; at rest after start 110–200
    /// MiB. The peaks come and go (RSS falls back to about 500 MiB between them): 1 MiB lines on 3 connections, 512 KiB
    /// strings and 10,000-level nestings leave the GC's large-object heap to compact.</summary>
    private const long MaxHwmKiB = 1536 * 1024;

    /// <summary>Allowed rise of the resident memory past the warm-up (the first 5 % of the inputs), whatever the number of
    /// inputs: 1,000,000 inputs rose 368 and 476 MiB at their peaks, 20,000 about 250 MiB, and each run ended near 500
    /// MiB. A leak per input (1,000,000 inputs) would exceed it.</summary>
    private const long MaxGrowthKiB = 768 * 1024;

    [Fact]
    public async Task The_host_survives_hostile_input_answers_each_request_exactly_once_and_keeps_its_memory_bounded()
    {
        var seed = FuzzSettings.Seed;
        var inputs = FuzzSettings.PipeInputs;
        output.WriteLine($"Pipe fuzzing: seed {seed} (replay with MW_FUZZ_SEED={seed}), {inputs} inputs, {Connections} connections, known failures {(FuzzSettings.KnownPipeFailures ? "on" : "off")}.");
        var methods = RpcSurface.Discover();

        using var host = HostProcess.Start();
        await host.WaitReadyAsync(TimeSpan.FromSeconds(120));
        await CheckSurfaceAgainstCapabilitiesAsync(host, methods);
        var startRss = host.StatusKiB("VmRSS");

        var runner = new PipeFuzzRunner(host, methods, seed)
        {
            Prelude = FuzzSettings.KnownPipeFailures ? KnownPipeFailures.All : null,
            IncludeKnownFailures = FuzzSettings.KnownPipeFailures,
            ProgressFile = Path.Combine(ReportFolder, $"pipe-progress-seed{seed}.txt"),
        };
        var clock = Stopwatch.StartNew();
        try
        {
            await runner.RunAsync(inputs, Connections, CancellationToken.None);
        }
        finally
        {
            clock.Stop();
            output.WriteLine(Summary(seed, runner, host, clock.Elapsed, startRss));
        }

        var alive = !host.Process.HasExited;
        var hwm = host.StatusKiB("VmHWM") ?? 0;
        var summary = Summary(seed, runner, host, clock.Elapsed, startRss);
        WriteReport(seed, summary);

        host.KeepRoot = !alive || runner.FindingCount > 0;
        output.WriteLine($"Host folder (logs){(host.KeepRoot ? " kept" : "")}: {host.Root}");
        if (!alive)
        {
            Assert.Fail($"The host died (exit code {host.Process.ExitCode}).\n{summary}\nHost output:\n{host.Tail}");
        }

        Assert.True(runner.FindingCount == 0, $"{runner.FindingCount} findings.\n{summary}\nHost output:\n{host.Tail}");
        Assert.Equal(inputs + (FuzzSettings.KnownPipeFailures ? KnownPipeFailures.All(new PipeInputGenerator(0, methods, "k")).Count() * Connections : 0), runner.InputsDone);
        Assert.True(hwm < MaxHwmKiB, $"The host's peak memory is {hwm / 1024} MiB (ceiling {MaxHwmKiB / 1024} MiB).\n{summary}");
        Assert.True(runner.MaxRssKiB - runner.WarmRssKiB < MaxGrowthKiB, $"The host's memory grew by {(runner.MaxRssKiB - runner.WarmRssKiB) / 1024} MiB after the warm-up.\n{summary}");
    }

    /// <summary>The fuzzer must know every method the host offers: a method it cannot see would go unfuzzed.</summary>
    private static async Task CheckSurfaceAgainstCapabilitiesAsync(HostProcess host, IReadOnlyList<RpcMethod> methods)
    {
        await using var till = await TillConnection.OpenAsync(host.SocketPath);
        await till.SendAsync([Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{{\"pointOfSale\":\"{JsonValues.PointOfSale}\"}}}}")]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = await till.Answers.ReadAsync(cancel.Token);
        using var document = System.Text.Json.JsonDocument.Parse(answer.Text);
        var capabilities = document.RootElement.GetProperty("result").GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(capabilities.Order(StringComparer.Ordinal), methods.Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    private static string ReportFolder => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mw-fuzz-reports")).FullName;

    private static string Summary(int seed, PipeFuzzRunner runner, HostProcess host, TimeSpan elapsed, long? startRss)
    {
        var summary = new StringBuilder()
            .AppendLine($"seed {seed}: {runner.InputsDone} inputs in {elapsed.TotalSeconds:F1} s ({runner.InputsDone / Math.Max(0.001, elapsed.TotalSeconds):F0}/s), {runner.FindingCount} findings, host alive: {!host.Process.HasExited}")
            .AppendLine($"host memory: VmRSS at start {startRss / 1024} MiB, after warm-up {runner.WarmRssKiB / 1024} MiB, max sampled {runner.MaxRssKiB / 1024} MiB, now {host.StatusKiB("VmRSS") / 1024} MiB; VmHWM {host.StatusKiB("VmHWM") / 1024} MiB; error lines in the host's log: {host.ErrorLines}")
            .AppendLine("inputs: " + string.Join(", ", runner.InputKinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}")))
            .AppendLine("answers: " + string.Join(", ", runner.AnswerCodes.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}")));
        foreach (var finding in runner.Findings.Take(40))
        {
            summary.AppendLine($"FINDING {finding.Symptom}\n    input: {finding.Input}");
        }

        return summary.ToString();
    }

    private void WriteReport(int seed, string summary)
    {
        var file = Path.Combine(ReportFolder, $"pipe-{DateTime.UtcNow:yyyyMMdd-HHmmss}-seed{seed}.txt");
        File.WriteAllText(file, summary);
        output.WriteLine("Report: " + file);
    }
}
