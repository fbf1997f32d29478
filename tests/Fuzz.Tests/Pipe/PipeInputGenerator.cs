using System.Text;
using System.Text.Json.Nodes;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>
/// Makes the pipe fuzzer's inputs from one seeded <see cref="Random"/>: the same seed gives the same inputs.
/// Kinds: random bytes, truncated JSON, 10,000-level nesting, wrong types for every parameter (and every field of
/// every parameter object) of every method, huge numbers, invalid UTF-8, calls before <c>hello</c> (each connection
/// starts without it), duplicate ids, missing or wrong <c>jsonrpc</c>, notifications, batches, unknown methods,
/// and lines of exactly the maximum size and one byte more.
/// </summary>
internal sealed class PipeInputGenerator
{
    /// <summary>The pipe's longest line (PROTOCOL.md §2, <c>Pipe:MaxMessageBytes</c>).</summary>
    public const int MaxLineBytes = 1024 * 1024;

    private readonly Random random;
    private readonly IReadOnlyList<RpcMethod> methods;
    private readonly string idPrefix;
    private long nextId;
    private string? lastId;

    public PipeInputGenerator(int seed, IReadOnlyList<RpcMethod> methods, string idPrefix)
    {
        random = new Random(seed);
        this.methods = methods;
        this.idPrefix = idPrefix;
    }

    /// <summary>Also generate the shapes of <see cref="KnownPipeFailures"/> (off: they are skipped).</summary>
    public bool IncludeKnownFailures { get; init; }

    public FuzzInput Next()
    {
        while (true)
        {
            var input = NextAny();
            if (IncludeKnownFailures || !input.Lines.Any(KnownPipeFailures.Matches))
            {
                return input;
            }
        }
    }

    private FuzzInput NextAny()
    {
        var roll = random.Next(1000);
        return roll switch
        {
            < 100 => ValidCall(),
            < 420 => WrongType(),
            < 470 => BadParamsShape(),
            < 540 => RandomBytes(),
            < 620 => Truncated(),
            < 660 => InvalidUtf8(),
            < 668 => DeepNesting(),
            < 700 => HugeNumbers(),
            < 750 => BadEnvelope(),
            < 790 => DuplicateIds(),
            < 820 => Notification(),
            < 850 => Hello(valid: true),
            < 880 => Hello(valid: false),
            < 920 => UnknownMethod(),
            < 940 => Batch(),
            < 960 => MutatedValid(),
            _ => WrongType(),
        };
    }

    /// <summary>A <c>hello</c> for the fuzzed point of sale, exactly <paramref name="totalBytes"/> long (without the newline).</summary>
    public FuzzInput SizedHello(int totalBytes, bool expectClose)
    {
        var id = NextId();
        var head = $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"hello\",\"params\":{{\"pointOfSale\":\"{JsonValues.PointOfSale}\",\"till\":\"";
        const string tail = "\"}}";
        var padding = totalBytes - Encoding.UTF8.GetByteCount(head) - tail.Length;
        var line = Encoding.UTF8.GetBytes(head + new string('x', padding) + tail);
        return new FuzzInput(expectClose ? "line of 1 MiB + 1" : "line of exactly 1 MiB", line)
        {
            ExpectClose = expectClose,
            ExpectResult = !expectClose,
            WellFormedCall = true,
        };
    }

    public FuzzInput ValidHello() => Hello(valid: true);

    private FuzzInput ValidCall()
    {
        var method = PickMethod();
        var request = Request(method, PlausibleParams(method));
        return new FuzzInput("valid call " + method.Name, Bytes(request)) { WellFormedCall = true };
    }

    private FuzzInput WrongType()
    {
        var method = PickMethod();
        var parameters = PlausibleParams(method);
        var slots = JsonValues.Slots(parameters);
        string path;
        if (slots.Count == 0 || random.Next(8) == 0)
        {
            // A method without parameters gets one it does not know.
            parameters["unexpected"] = JsonValues.Marker;
            path = "unexpected";
        }
        else
        {
            var (parent, key) = slots[random.Next(slots.Count)];
            JsonValues.Replace(parent, key, JsonValues.Marker);
            path = key.ToString()!;
        }

        var hostile = JsonValues.Hostile(random);
        var text = Request(method, parameters).Replace($"\"{JsonValues.Marker}\"", hostile, StringComparison.Ordinal);
        return new FuzzInput($"wrong type {method.Name}.{path}", Bytes(text));
    }

    private FuzzInput BadParamsShape()
    {
        var method = PickMethod();
        var id = NextId();
        // Scalar params ("text", 42, true) get no answer at all: KnownPipeFailures.
        var parameters = random.Next(4) switch
        {
            0 => "[]",
            1 => "[\"a\",1,null]",
            2 => "null",
            _ => "{}", // every required parameter missing
        };
        return new FuzzInput($"params {parameters} for {method.Name}", Bytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method.Name}\",\"params\":{parameters}}}"));
    }

    private FuzzInput RandomBytes()
    {
        var line = new byte[random.Next(1, 300)];
        random.NextBytes(line);
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == (byte)'\n')
            {
                line[i] = (byte)' ';
            }
        }

        return new FuzzInput("random bytes", line);
    }

    private FuzzInput Truncated()
    {
        var full = Bytes(Request(PickMethod(), null));
        var cut = random.Next(1, full.Length - 1);
        return new FuzzInput("truncated JSON", full[..cut]);
    }

    private FuzzInput InvalidUtf8()
    {
        byte[][] bad = [[0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]];
        var request = Bytes(Request(RpcSurface.Hello, new JsonObject { ["pointOfSale"] = JsonValues.PointOfSale, ["till"] = "@@UTF8@@" }));
        var text = Encoding.UTF8.GetString(request);
        var at = text.IndexOf("@@UTF8@@", StringComparison.Ordinal);
        var before = Encoding.UTF8.GetBytes(text[..at]);
        var after = Encoding.UTF8.GetBytes(text[(at + 8)..]);
        var chosen = bad[random.Next(bad.Length)];
        return new FuzzInput("invalid UTF-8", [.. before, .. chosen, .. after]);
    }

    private FuzzInput DeepNesting()
    {
        const int depth = 10_000;
        var line = random.Next(5) switch
        {
            0 => new string('[', depth) + new string(']', depth),
            1 => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
            2 => $"{{\"jsonrpc\":\"2.0\",\"id\":{NextId()},\"method\":\"ping\",\"params\":{{\"a\":" + new string('[', depth) + new string(']', depth) + "}}",
            3 => $"{{\"jsonrpc\":\"2.0\",\"id\":{NextId()},\"method\":\"sale.setBasket\",\"params\":{{\"requestId\":\"{JsonValues.NewGuid(random)}\",\"saleId\":\"x\",\"lines\":"
                 + string.Concat(Enumerable.Repeat("[{\"codeArticle\":1,\"components\":", depth)) + "[]" + string.Concat(Enumerable.Repeat("}]", depth)) + "}}",
            _ => new string('[', depth), // never closed
        };
        return new FuzzInput("nesting 10,000 levels", Bytes(line));
    }

    private FuzzInput HugeNumbers()
    {
        string[] huge = ["1e400", "-1e400", "123456789012345678901234567890", "1" + new string('0', 5000), "0." + new string('0', 5000) + "1", "-0", "9223372036854775808"];
        var number = huge[random.Next(huge.Length)];
        if (random.Next(2) == 0)
        {
            // The number as the id: not an id JSON-RPC servers can echo as given.
            return new FuzzInput("huge number id", Bytes($"{{\"jsonrpc\":\"2.0\",\"id\":{number},\"method\":\"ping\"}}"));
        }

        var method = PickMethod();
        var parameters = PlausibleParams(method);
        var slots = JsonValues.Slots(parameters);
        if (slots.Count == 0)
        {
            parameters["n"] = JsonValues.Marker;
        }
        else
        {
            var (parent, key) = slots[random.Next(slots.Count)];
            JsonValues.Replace(parent, key, JsonValues.Marker);
        }

        return new FuzzInput($"huge number in {method.Name}", Bytes(Request(method, parameters).Replace($"\"{JsonValues.Marker}\"", number, StringComparison.Ordinal)));
    }

    private FuzzInput BadEnvelope()
    {
        var id = NextId();
        // A numeric jsonrpc, no method, a numeric method, and an answer-shaped line break the pipe: KnownPipeFailures.
        var line = random.Next(6) switch
        {
            0 => $"{{\"id\":{id},\"method\":\"ping\"}}", // no jsonrpc
            1 => $"{{\"jsonrpc\":\"1.0\",\"id\":{id},\"method\":\"ping\"}}",
            2 => $"{{\"jsonrpc\":\"2.0\",\"id\":{{\"a\":1}},\"method\":\"ping\"}}",
            3 => $"{{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}}",
            4 => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\",\"method\":\"hello\"}}", // duplicate key
            _ => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\",\"params\":{{}},\"extra\":[1]}}",
        };
        return new FuzzInput("bad envelope", Bytes(line));
    }

    /// <summary>The id of an earlier call, already answered: JSON-RPC lets a client reuse it. (Two calls in flight
    /// with one id make the server fail: KnownPipeFailures.)</summary>
    private FuzzInput DuplicateIds()
    {
        var method = PickMethod();
        var request = Request(method, PlausibleParams(method), lastId ?? NextId());
        return new FuzzInput($"duplicate id {method.Name}", Bytes(request));
    }

    private FuzzInput Notification()
    {
        var method = random.Next(3) == 0 ? "ping" : PickMethod().Name;
        return new FuzzInput("notification " + method, Bytes($"{{\"jsonrpc\":\"2.0\",\"method\":\"{method}\",\"params\":{{}}}}"));
    }

    private FuzzInput Hello(bool valid)
    {
        if (valid)
        {
            var request = Request(RpcSurface.Hello, new JsonObject { ["pointOfSale"] = JsonValues.PointOfSale, ["till"] = "fuzz" });
            return new FuzzInput("hello", Bytes(request)) { ExpectResult = true, WellFormedCall = true };
        }

        var parameters = new JsonObject { ["pointOfSale"] = JsonValues.Marker, ["till"] = "fuzz" };
        var text = Request(RpcSurface.Hello, parameters).Replace($"\"{JsonValues.Marker}\"", JsonValues.Hostile(random), StringComparison.Ordinal);
        return new FuzzInput("hello with a wrong point of sale", Bytes(text));
    }

    private FuzzInput UnknownMethod()
    {
        string[] names = ["", " ", "rpc.discover", "rpc.parseError", "rpc.requestIdRequired", "HELLO", "ping ", "sale.", "$/cancelRequest", "$/progress", JsonValues.RandomWord(random)];
        var name = names[random.Next(names.Length)];
        var line = $"{{\"jsonrpc\":\"2.0\",\"id\":{NextId()},\"method\":{System.Text.Json.JsonSerializer.Serialize(name)},\"params\":{{}}}}";
        return new FuzzInput("unknown method", Bytes(line));
    }

    private FuzzInput Batch()
    {
        var line = random.Next(3) switch
        {
            0 => "[]",
            1 => $"[{Request(PickMethod(), null)},{Request(PickMethod(), null)}]",
            _ => random.Next(4) switch { 0 => "42", 1 => "\"ping\"", 2 => "null", _ => "true" },
        };
        return new FuzzInput("batch or bare value", Bytes(line));
    }

    private FuzzInput MutatedValid()
    {
        var method = PickMethod();
        var line = Bytes(Request(method, PlausibleParams(method)));
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            var at = random.Next(line.Length);
            line[at] = (byte)random.Next(256);
            if (line[at] == (byte)'\n')
            {
                line[at] = (byte)'{';
            }
        }

        return new FuzzInput("mutated call " + method.Name, line);
    }

    private RpcMethod PickMethod() => methods[random.Next(methods.Count)];

    private JsonObject PlausibleParams(RpcMethod method)
    {
        var parameters = new JsonObject();
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Optional && random.Next(3) == 0)
            {
                continue;
            }

            parameters[parameter.Name] = JsonValues.Plausible(parameter.Type, parameter.Name, random);
        }

        return parameters;
    }

    private string Request(RpcMethod method, JsonObject? parameters, string? id = null)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonNode.Parse(id ?? NextId()), ["method"] = method.Name };
        if (parameters is not null)
        {
            request["params"] = parameters;
        }

        return request.ToJsonString();
    }

    /// <summary>A fresh id, as JSON text: a string or an integer, unique on this generator.</summary>
    public string NextId()
    {
        var n = ++nextId;
        lastId = random.Next(2) == 0 ? $"\"{idPrefix}-{n}\"" : JsonValues.Invariant(n);
        return lastId;
    }

    /// <summary>A plausible call of a random method, as JSON text, with the given id.</summary>
    public string PlausibleRequest(string id)
    {
        var method = PickMethod();
        return Request(method, PlausibleParams(method), id);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
