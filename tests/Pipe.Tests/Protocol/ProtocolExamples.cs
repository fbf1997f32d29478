using System.Text.Json.Nodes;

namespace Middleware.Pipe.Tests.Protocol;

/// <summary>One JSON message of a <c>```json</c> block of PROTOCOL.md.</summary>
/// <param name="Line">Its line number in the document (1-based), for the failure messages.</param>
/// <param name="Block">The number of its block: an answer belongs to the request with its id in the same block.</param>
/// <param name="Message">The message.</param>
internal sealed record ProtocolExample(int Line, int Block, JsonObject Message)
{
    public string? Method => Message["method"]?.GetValue<string>();

    public bool IsAnswer => Message.ContainsKey("result") || Message.ContainsKey("error");

    public string Id => Message["id"]?.ToJsonString() ?? "null";
}

/// <summary>The JSON examples of PROTOCOL.md: every line of its <c>```json</c> blocks is one message.</summary>
internal static class ProtocolExamples
{
    public static readonly string Document = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PROTOCOL.md"));

    public static IReadOnlyList<ProtocolExample> All { get; } = Read();

    private static List<ProtocolExample> Read()
    {
        var examples = new List<ProtocolExample>();
        var lines = Document.Split('\n');
        var block = 0;
        var inJson = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (!inJson && line == "```json")
            {
                inJson = true;
                block++;
            }
            else if (inJson && line.StartsWith("```", StringComparison.Ordinal))
            {
                inJson = false;
            }
            else if (inJson && line.Length > 0)
            {
                // A line that is not one JSON object fails here, naming its line: a till developer copies these.
                var node = JsonNode.Parse(line) as JsonObject ?? throw new InvalidOperationException($"PROTOCOL.md line {i + 1} is not a JSON object.");
                examples.Add(new ProtocolExample(i + 1, block, node));
            }
        }

        return examples;
    }

    /// <summary>Every property named <paramref name="name"/> in <paramref name="node"/>, at any depth.</summary>
    public static IEnumerable<JsonNode?> Properties(JsonNode? node, Func<string, bool> name)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (name(key))
                    {
                        yield return value;
                    }

                    foreach (var inner in Properties(value, name))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var inner in Properties(item, name))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }
}
