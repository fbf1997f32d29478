using System.Text;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>
/// Inputs that pipe fuzzing found to break the pipe server (core/Pipe, being rewritten elsewhere: not fixed here).
/// Off by default so that CI stays green; <c>MW_FUZZ_KNOWN_PIPE_FAILURES=1</c> sends them first on every connection
/// of the fuzz run, so that the integrator can check the rewritten pipe against them. Each breaks the promise of
/// PROTOCOL.md §2–3 that a request gets exactly one answer and a bad line leaves the connection usable.
/// </summary>
internal static class KnownPipeFailures
{
    public static IEnumerable<FuzzInput> All(PipeInputGenerator generator)
    {
        // 1. params that is neither an object nor an array: never answered (the till waits for ever; the connection
        //    keeps working).
        foreach (var parameters in new[] { "\"text\"", "42", "true" })
        {
            yield return Line("scalar params " + parameters, $"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()},\"method\":\"ping\",\"params\":{parameters}}}");
        }

        // 2. An id but no method, a method that is not a string, a jsonrpc that is not a string: never answered.
        yield return Line("no method", $"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()}}}");
        yield return Line("numeric method", $"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()},\"method\":42}}");
        yield return Line("numeric jsonrpc", $"{{\"jsonrpc\":2,\"id\":{generator.NextId()},\"method\":\"ping\"}}");

        // 3. Two calls in flight with the same id: the second is answered 1099 (internal error; the host logs
        //    "ArgumentException: An item with the same key has already been added" from StreamJsonRpc's cancellation
        //    table) instead of a clear refusal such as -32600 / 1000.
        var id = generator.NextId();
        yield return new FuzzInput("two calls in flight with one id", Encoding.UTF8.GetBytes(generator.PlausibleRequest(id)), Encoding.UTF8.GetBytes(generator.PlausibleRequest(id)));

        // 4. An answer-shaped line (result or error, no method) from the till: the server closes the connection
        //    instead of ignoring it or answering an error.
        yield return Line("answer-shaped line", $"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()},\"result\":null}}");
    }

    private static FuzzInput Line(string kind, string line) => new("known pipe failure: " + kind, Encoding.UTF8.GetBytes(line));
}
