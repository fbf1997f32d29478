using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Middleware.Pipe.Tests.Protocol;

/// <summary>
/// Issue 16: a JSON Schema of every message, generated from the code (core/Pipe/schema), and PROTOCOL.md's examples
/// checked against it: what a till developer copies from the document is what the middleware takes and answers.
/// </summary>
public sealed class ProtocolSchemaTests
{
    private static readonly string SchemaFolder = Path.Combine(RepositoryRoot(), "core", "Pipe", "schema");

    [Fact]
    public void The_committed_schema_is_the_one_the_code_generates()
    {
        var generated = ProtocolSchemaGenerator.Generate();
        if (Environment.GetEnvironmentVariable("UPDATE_PROTOCOL_SCHEMA") == "1")
        {
            Write(generated);
        }

        var committed = Committed();
        var missing = generated.Keys.Except(committed.Keys).ToList();
        var stale = committed.Keys.Except(generated.Keys).ToList();
        var changed = generated.Keys.Intersect(committed.Keys).Where(k => generated[k] != committed[k]).ToList();
        Assert.True(missing.Count + stale.Count + changed.Count == 0,
            $"core/Pipe/schema differs from the code: missing {string.Join(", ", missing)}; not offered any more {string.Join(", ", stale)}; changed {string.Join(", ", changed)}. "
            + $"Write it again with: {ProtocolSchemaGenerator.RegenerateCommand}");
        Assert.Contains("sale.pay.json", generated.Keys);
        Assert.Contains("notifications/card.tapped.json", generated.Keys);
    }

    [Fact]
    public void Every_json_example_of_the_protocol_matches_its_schema()
    {
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var example in ProtocolExamples.All)
        {
            var (file, instance) = Target(example, failures);
            if (file is null)
            {
                continue;
            }

            checkedCount++;
            var problems = Validate(file, instance!);
            failures.AddRange(problems.Select(p => $"line {example.Line} ({file}): {p}"));
        }

        Assert.True(checkedCount >= 60, $"only {checkedCount} examples checked");
        Assert.True(failures.Count == 0, "PROTOCOL.md examples that do not match core/Pipe/schema:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void Every_method_has_an_example_call_and_its_answer()
    {
        var requests = ProtocolExamples.All.Where(e => !e.IsAnswer && e.Message.ContainsKey("id")).ToList();
        var answered = ProtocolExamples.All.Where(e => e.IsAnswer)
            .Select(a => requests.FirstOrDefault(r => r.Block == a.Block && r.Id == a.Id)?.Method)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var methods = HostMethods.Registry().Capabilities;

        var noCall = methods.Where(m => requests.All(r => r.Method != m)).ToList();
        var noAnswer = methods.Where(m => !answered.Contains(m)).ToList();
        Assert.True(noCall.Count + noAnswer.Count == 0,
            $"PROTOCOL.md lacks an example call of: {string.Join(", ", noCall)}; an example answer (after its call, same id, same block) of: {string.Join(", ", noAnswer)}");
    }

    [Fact]
    public void A_wrong_field_or_a_wrong_message_fails_the_schema()
    {
        // The check itself can fail: a misspelt parameter, a missing one, a string for a number, a code with another message.
        Assert.NotEmpty(Validate("sale.pay.json", Node("""{"params":{"requestId":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c06","saleId":"x","methode":"cb"}}""")));
        Assert.NotEmpty(Validate("sale.pay.json", Node("""{"params":{"requestId":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c06","saleId":"x","method":"cb","amount":"3.30"}}""")));
        Assert.NotEmpty(Validate("sale.open.json", Node("""{"params":{"requestId":"r-2"}}""")));
        Assert.NotEmpty(Validate("error.json", Node("""{"error":{"code":1400,"message":"Paiement refusé.","data":{"detail":"x"}}}""")));
        Assert.Empty(Validate("sale.pay.json", Node("""{"params":{"requestId":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c06","saleId":"x","method":"cb","amount":3.30}}""")));
        Assert.Empty(Validate("error.json", Node("""{"error":{"code":1400,"message":"Solde Izly insuffisant.","data":{"detail":"x","payload":{"balance":1.5}}}}""")));
    }

    // Which schema checks an example, and the instance it checks: a call's params, a notification's params, an
    // answer's result (its method is the call with its id in the same block) or error.
    private static (string? File, JsonObject? Instance) Target(ProtocolExample example, List<string> failures)
    {
        var message = example.Message;
        if (example.IsAnswer)
        {
            if (message["error"] is { } error)
            {
                return ("error.json", new JsonObject { ["error"] = error.DeepClone() });
            }

            var call = ProtocolExamples.All.FirstOrDefault(e => e.Block == example.Block && !e.IsAnswer && e.Id == example.Id && e.Line < example.Line);
            if (call?.Method is null)
            {
                failures.Add($"line {example.Line}: an answer without its call (same id, before it, in the same block)");
                return (null, null);
            }

            return (call.Method + ".json", new JsonObject { ["result"] = message["result"]?.DeepClone() });
        }

        var method = example.Method ?? "";
        if (method == "<area.verb>")
        {
            return (null, null); // The document's placeholder for "any mutating method".
        }

        var file = message.ContainsKey("id") ? method + ".json" : $"notifications/{method}.json";
        var instance = new JsonObject();
        if (message["params"] is { } parameters)
        {
            instance["params"] = parameters.DeepClone();
        }

        return (file, instance);
    }

    /// <summary>The problems of <paramref name="instance"/> against a committed schema file. An example abbreviated with
    /// <c>"...":"..."</c> is checked without that key and without the required properties it leaves out.</summary>
    private static List<string> Validate(string file, JsonObject instance)
    {
        var path = Path.Combine(SchemaFolder, file);
        if (!File.Exists(path))
        {
            return [$"no schema {file}: not a method or notification the host offers"];
        }

        var abbreviated = StripEllipses(instance);
        var schemaNode = JsonNode.Parse(File.ReadAllText(path))!;
        if (abbreviated)
        {
            DropRequired(schemaNode);
        }

        var schema = JsonSchema.FromText(schemaNode.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://schema.invalid/{Guid.NewGuid():N}/{file}"));
        using var document = JsonDocument.Parse(instance.ToJsonString());
        var results = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Distinct().Take(8)];
    }

    private static bool StripEllipses(JsonNode? node)
    {
        var found = false;
        switch (node)
        {
            case JsonObject obj:
                found = obj.Remove("...");
                foreach (var (_, value) in obj.ToList())
                {
                    found |= StripEllipses(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    found |= StripEllipses(item);
                }

                break;
        }

        return found;
    }

    private static void DropRequired(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("required");
                foreach (var (_, value) in obj.ToList())
                {
                    DropRequired(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    DropRequired(item);
                }

                break;
        }
    }

    private static JsonObject Node(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static SortedDictionary<string, string> Committed()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(SchemaFolder))
        {
            foreach (var path in Directory.EnumerateFiles(SchemaFolder, "*.json", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(SchemaFolder, path).Replace('\\', '/')] = File.ReadAllText(path);
            }
        }

        return files;
    }

    private static void Write(SortedDictionary<string, string> generated)
    {
        foreach (var stale in Committed().Keys.Except(generated.Keys))
        {
            File.Delete(Path.Combine(SchemaFolder, stale));
        }

        foreach (var (file, text) in generated)
        {
            var path = Path.Combine(SchemaFolder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
    }

    private static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        return repo?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }

}
