using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>One thing the server did wrong on one input.</summary>
internal sealed record Finding(string Symptom, string Input);

/// <summary>
/// Feeds inputs to a running host over several connections at once and checks, input by input, the protocol's
/// promises: every request answered exactly once (an error, or a result for valid calls), one <c>-32700</c> per line
/// that is not JSON, nothing for notifications, 1002 for a well-formed call before <c>hello</c>, never an internal
/// error, and a closed connection (that one only) for a line over 1 MiB. Each input is followed by a <c>ping</c>
/// (the sentinel): once its answer and the input's answers are in, the input is done. The host's memory is sampled
/// all along.
/// </summary>
internal sealed class PipeFuzzRunner
{
    /// <summary>Longest wait for an input's answers. Valid calls may reach the sandbox's Izly and VEM (PROTOCOL.md:
    /// a plugin call answers within 12 s); a hang is anything beyond.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    private static readonly int[] InternalErrorCodes = [1099, -32603];

    private readonly HostProcess host;
    private readonly IReadOnlyList<RpcMethod> methods;
    private readonly int seed;
    private readonly ConcurrentQueue<Finding> findings = new();
    private readonly ConcurrentDictionary<string, int> inputKinds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> answerCodes = new(StringComparer.Ordinal);
    private int findingCount;
    private long inputsDone;
    private long maxRssKiB;

    public PipeFuzzRunner(HostProcess host, IReadOnlyList<RpcMethod> methods, int seed)
    {
        this.host = host;
        this.methods = methods;
        this.seed = seed;
    }

    /// <summary>Extra inputs each worker sends first (the known failures, when enabled).</summary>
    public Func<PipeInputGenerator, IEnumerable<FuzzInput>>? Prelude { get; init; }

    /// <summary>Generate the shapes of the known failures too (see <see cref="KnownPipeFailures.Matches"/>).</summary>
    public bool IncludeKnownFailures { get; init; }

    public IReadOnlyCollection<Finding> Findings => findings;

    public int FindingCount => findingCount;

    public long InputsDone => Interlocked.Read(ref inputsDone);

    public long MaxRssKiB => Interlocked.Read(ref maxRssKiB);

    /// <summary>VmRSS (KiB) after the first 5 % of the inputs: the warmed-up baseline the growth is measured from.</summary>
    public long WarmRssKiB { get; private set; }

    public IReadOnlyDictionary<string, int> InputKinds => inputKinds;

    public IReadOnlyDictionary<string, int> AnswerCodes => answerCodes;

    public async Task RunAsync(int inputs, int connections, CancellationToken cancellationToken)
    {
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleMemoryAsync(inputs, stopSampling.Token);
        var workers = Enumerable.Range(0, connections)
            .Select(i => Task.Run(() => WorkerAsync(i, inputs / connections + (i < inputs % connections ? 1 : 0), cancellationToken), cancellationToken))
            .ToArray();
        try
        {
            await Task.WhenAll(workers);
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampler;
        }
    }

    private async Task WorkerAsync(int index, int count, CancellationToken cancellationToken)
    {
        var generator = new PipeInputGenerator(seed + index * 7919, methods, $"c{index}") { IncludeKnownFailures = IncludeKnownFailures };
        var state = new WorkerState(index);
        try
        {
            var prelude = Prelude?.Invoke(generator) ?? [];
            var n = 0;
            foreach (var input in prelude.Concat(Inputs(generator, count)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (host.Process.HasExited)
                {
                    Report($"the host process died (exit code {host.Process.ExitCode}) before this input", input);
                    return;
                }

                inputKinds.AddOrUpdate(KindGroup(input.Kind), 1, (_, v) => v + 1);
                await RunOneAsync(state, input, n++, cancellationToken);
                Interlocked.Increment(ref inputsDone);
            }
        }
        finally
        {
            if (state.Connection is not null)
            {
                await state.Connection.DisposeAsync();
            }
        }
    }

    /// <summary>Mostly generated inputs; at fixed places, a line of exactly 1 MiB and one of 1 MiB + 1 byte.</summary>
    private static IEnumerable<FuzzInput> Inputs(PipeInputGenerator generator, int count)
    {
        for (var n = 0; n < count; n++)
        {
            yield return (n % 5000) switch
            {
                1 or 2500 => generator.SizedHello(PipeInputGenerator.MaxLineBytes, expectClose: false),
                3 or 4000 => generator.SizedHello(PipeInputGenerator.MaxLineBytes + 1, expectClose: true),
                _ => generator.Next(),
            };
        }
    }

    private async Task RunOneAsync(WorkerState state, FuzzInput input, int n, CancellationToken cancellationToken)
    {
        if (state.Connection is null || n % 400 == 0)
        {
            CheckParseErrors(state, input);
            // A fresh connection now and then: its first inputs come before any hello.
            if (state.Connection is not null)
            {
                await state.Connection.DisposeAsync();
            }

            state.Connection = await TillConnection.OpenAsync(host.SocketPath, cancellationToken);
            state.Hello = false;
            state.HelloUnknown = false;
            state.LooseMust = state.LooseMay = state.LooseReceived = state.ParseErrorsMust = state.ParseErrorsReceived = 0;
        }

        var till = state.Connection;
        if (input.ExpectClose)
        {
            await ExpectCloseAsync(till, input, cancellationToken);
            await till.DisposeAsync();
            state.Connection = null;
            return;
        }

        var sentinel = $"{state.Prefix}-s{n}";
        var sentinelKey = "s:" + sentinel;
        if (!await till.SendAsync([.. input.Lines, Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":\"{sentinel}\",\"method\":\"ping\"}}")], cancellationToken))
        {
            Report("the server closed the connection while the input was sent", input);
            await DropAsync(state);
            return;
        }

        var received = new Dictionary<string, int>(StringComparer.Ordinal);
        var sentinelSeen = false;
        var parseErrors = 0;
        var looseAnswers = 0; // answers with id null, or with an id of a line that is not a plain request
        var eitherIds = new HashSet<string>(input.EitherIds, StringComparer.Ordinal);
        var maybeIds = new HashSet<string>(input.MaybeIds, StringComparer.Ordinal);
        // Answers without a usable id cannot be matched to their line, and the server may send one after the next
        // input's ping (answers come in any order, PROTOCOL.md §2): they are counted per connection, cumulatively.
        // Every line that must get one is waited for; more than the lines that may get one is a finding.
        state.LooseMust += input.ExpectedParseErrors + input.InvalidRequests + input.EitherIds.Count;
        state.LooseMay += input.MaybeAnswers;
        var looseTexts = new List<string>();
        var helloAfter = state.Hello;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        while (!(sentinelSeen && input.ExpectedIds.All(e => received.GetValueOrDefault(e.Key) >= e.Value) && state.LooseReceived + looseAnswers >= state.LooseMust))
        {
            ServerMessage message;
            try
            {
                if (!await till.Answers.WaitToReadAsync(timeout.Token))
                {
                    Report($"the server closed the connection ({till.ClosedBecause}) instead of answering", input);
                    await DropAsync(state);
                    return;
                }

                message = await till.Answers.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var missing = input.ExpectedIds.Where(e => received.GetValueOrDefault(e.Key) < e.Value).Select(e => e.Key).ToList();
                Report($"no answer within {AnswerTimeout.TotalSeconds} s (missing: {(sentinelSeen ? "" : "the following ping, ")}{string.Join(", ", missing)}{(parseErrors < input.ExpectedParseErrors ? " the -32700" : "")})", input);
                await DropAsync(state);
                return;
            }

            answerCodes.AddOrUpdate(message.ErrorCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (message.HasResult ? "result" : message.IsNotification ? "notification" : "other"), 1, (_, v) => v + 1);
            if (message.Text.StartsWith("NOT JSON", StringComparison.Ordinal))
            {
                Report("the server wrote a line that is not JSON: " + message, input);
                continue;
            }

            if (message.IsNotification)
            {
                continue;
            }

            if (message.ErrorCode is { } code && InternalErrorCodes.Contains(code))
            {
                Report($"internal error {code}: {message}", input);
            }

            if (message.IdKey == sentinelKey)
            {
                sentinelSeen = true;
                // Before any hello the ping itself is refused with 1002 (PROTOCOL.md §3, rule 1); after, it answers null.
                if (!message.HasResult && !(message.ErrorCode == 1002 && !state.Hello))
                {
                    Report("the ping after this input failed: " + message, input);
                }

                continue;
            }

            if (message.IdKey is { } key && input.ExpectedIds.TryGetValue(key, out var expected))
            {
                var count = received[key] = received.GetValueOrDefault(key) + 1;
                if (count > expected)
                {
                    Report($"{count} answers to {expected} request(s) with id {key}: {message}", input);
                }

                var method = input.Methods[key];
                if (input.WellFormedCall && !state.Hello && !state.HelloUnknown && method != "hello" && message.ErrorCode != 1002)
                {
                    Report($"a call before hello was not refused with 1002: {message}", input);
                }

                if (input.ExpectResult && !message.HasResult)
                {
                    Report($"a valid call failed: {message}", input);
                }

                if (method == "hello" && message.HasResult)
                {
                    // A refused hello keeps the connection's earlier binding, if any; only a success binds it.
                    helloAfter = true;
                }

                continue;
            }

            if (message.IdKey is { } loose && (eitherIds.Remove(loose) || maybeIds.Remove(loose)))
            {
                looseAnswers++;
                looseTexts.Add(message.ToString());
                if (message.HasResult && input.Methods.GetValueOrDefault(loose) == "hello")
                {
                    // A hello whose bytes are not all UTF-8 (in the till's name) may still bind the connection.
                    helloAfter = true;
                }

                continue;
            }

            if (message.IdKey is null)
            {
                parseErrors += message.ErrorCode == -32700 ? 1 : 0;
                looseAnswers++;
                looseTexts.Add(message.ToString());
                continue;
            }

            Report($"an answer to an id this input did not send (a second or late answer): {message}", input);
        }

        state.LooseReceived += looseAnswers;
        state.ParseErrorsMust += input.ExpectedParseErrors;
        state.ParseErrorsReceived += parseErrors;
        if (state.LooseReceived > state.LooseMust + state.LooseMay)
        {
            Report($"{state.LooseReceived} answers without a request id on this connection for {state.LooseMust} unreadable or invalid line(s) and {state.LooseMay} that may be answered: {string.Join(" | ", looseTexts)}", input, state.Previous);
            state.LooseReceived = state.LooseMust + state.LooseMay; // each extra answer reported once
        }

        state.Hello = helloAfter;
        state.HelloUnknown |= input.MayBindHelloUnseen;
        state.Previous = input;
    }

    private async Task ExpectCloseAsync(TillConnection till, FuzzInput input, CancellationToken cancellationToken)
    {
        await till.SendAsync(input.Lines, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await foreach (var message in till.Answers.ReadAllAsync(timeout.Token))
            {
                if (message.IdKey is { } key && input.ExpectedIds.ContainsKey(key))
                {
                    Report("a line over the limit was answered instead of closing the connection: " + message, input);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Report("a line over the limit did not close the connection within 20 s", input);
        }
    }

    /// <summary>Before a connection is left: every line that was not JSON got its -32700 (not another error).</summary>
    private void CheckParseErrors(WorkerState state, FuzzInput next)
    {
        if (state.Connection is not null && state.ParseErrorsReceived < state.ParseErrorsMust)
        {
            Report($"{state.ParseErrorsMust} lines that are not JSON got only {state.ParseErrorsReceived} -32700 answers on one connection", next, state.Previous);
        }
    }

    private static async Task DropAsync(WorkerState state)
    {
        if (state.Connection is not null)
        {
            await state.Connection.DisposeAsync();
            state.Connection = null;
        }
    }

    private void Report(string symptom, FuzzInput input, FuzzInput? previous = null)
    {
        if (previous is not null)
        {
            symptom += $" (the input before: {previous.Preview})";
        }

        if (Interlocked.Increment(ref findingCount) <= 200)
        {
            findings.Enqueue(new Finding(symptom, input.Preview));
        }
    }

    /// <summary>A file that gets one line of figures every 30 s (long runs: read it while the run goes on).</summary>
    public string? ProgressFile { get; init; }

    private async Task SampleMemoryAsync(int inputs, CancellationToken cancellationToken)
    {
        var warmAt = Math.Max(1, inputs / 20);
        var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        var nextProgress = TimeSpan.FromSeconds(30);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (ProgressFile is not null && clock.Elapsed >= nextProgress)
                {
                    nextProgress += TimeSpan.FromSeconds(30);
                    await File.AppendAllTextAsync(ProgressFile,
                        $"{DateTime.UtcNow:HH:mm:ss} {clock.Elapsed.TotalSeconds:F0} s: {InputsDone} inputs, {FindingCount} findings, VmRSS {host.StatusKiB("VmRSS") / 1024} MiB, max {MaxRssKiB / 1024} MiB, warm {WarmRssKiB / 1024} MiB, VmHWM {host.StatusKiB("VmHWM") / 1024} MiB, host alive {!host.Process.HasExited}\n",
                        CancellationToken.None);
                }

                if (host.StatusKiB("VmRSS") is { } rss)
                {
                    if (rss > Interlocked.Read(ref maxRssKiB))
                    {
                        Interlocked.Exchange(ref maxRssKiB, rss);
                    }

                    if (WarmRssKiB == 0 && InputsDone >= warmAt)
                    {
                        WarmRssKiB = rss;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            timer.Dispose();
        }
    }

    private static string KindGroup(string kind) => kind.Split(' ') switch
    {
        ["valid", "call", ..] => "valid call",
        ["wrong", "type", ..] => "wrong type",
        ["huge", "number", ..] => "huge number",
        ["duplicate", "id", ..] => "duplicate id",
        ["notification", ..] => "notification",
        ["mutated", "call", ..] => "mutated call",
        ["params", ..] => "params of the wrong shape",
        _ => kind,
    };

    private sealed class WorkerState(int index)
    {
        public string Prefix { get; } = $"c{index}";

        public TillConnection? Connection { get; set; }

        public bool Hello { get; set; }

        /// <summary>A hello notification may have bound the connection: the 1002 check is off until the next connection.</summary>
        public bool HelloUnknown { get; set; }

        public FuzzInput? Previous { get; set; }

        /// <summary>On this connection so far: answers without a usable id that must come, that may come, that came.</summary>
        public long LooseMust { get; set; }

        public long LooseMay { get; set; }

        public long LooseReceived { get; set; }

        /// <summary>Lines that are not JSON sent on this connection, and <c>-32700</c> answers received.</summary>
        public long ParseErrorsMust { get; set; }

        public long ParseErrorsReceived { get; set; }
    }
}
