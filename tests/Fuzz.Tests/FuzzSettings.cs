using System.Globalization;

namespace Middleware.Fuzz.Tests;

/// <summary>
/// The knobs of every fuzzer, from the environment: <c>MW_FUZZ_SEED</c> replays a run (each test prints its seed),
/// <c>MW_FUZZ_INPUTS</c> sets the number of pipe inputs (CI: 20,000; the long profile: 1,000,000),
/// <c>MW_FUZZ_KNOWN_PIPE_FAILURES=1</c> adds the inputs known to break the pipe (see <see cref="Pipe.KnownPipeFailures"/>).
/// </summary>
internal static class FuzzSettings
{
    public const int DefaultPipeInputs = 20_000;

    /// <summary>The seed of this run: the environment's, else a fresh one (printed, so a failure can be replayed).</summary>
    public static int Seed { get; } = ReadInt("MW_FUZZ_SEED") ?? Random.Shared.Next();

    public static int PipeInputs => ReadInt("MW_FUZZ_INPUTS") ?? DefaultPipeInputs;

    public static bool KnownPipeFailures => Environment.GetEnvironmentVariable("MW_FUZZ_KNOWN_PIPE_FAILURES") == "1";

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
