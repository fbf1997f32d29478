using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Middleware.Pipe.Protocol;

namespace Middleware.Pipe.Tests.Protocol;

/// <summary>
/// Issue #19: the pipe's JSON is source-generated. Every parameter and result of every method the host exposes must
/// have compile-time metadata in one of the projects' RPC contexts, so that no call builds its metadata by reflection
/// (the reflection resolver last in the chain only serves anonymous error payloads).
/// </summary>
public sealed class GeneratedMetadataTests
{
    [Fact]
    public void Every_methods_parameters_and_result_have_generated_metadata()
    {
        var contexts = RpcContexts();
        Assert.Contains(contexts, c => c is PipeJsonContext);
        Assert.True(contexts.Count >= 6, "RPC contexts found: " + string.Join(", ", contexts.Select(c => c.GetType().Name)));
        var options = PipeJson.CreateOptions();
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine([.. contexts]); // no reflection fallback here
        options.MakeReadOnly();

        var missing = new List<string>();
        foreach (var method in HostMethods.Registry().Methods)
        {
            var types = method.Method.GetParameters().Select(p => p.ParameterType).Where(t => t != typeof(CancellationToken)).ToList();
            if (ResultType(method.Method.ReturnType) is { } result)
            {
                types.Add(result);
            }

            foreach (var type in types.Where(t => !ReadByReflection.Contains(t)))
            {
                if (!options.TryGetTypeInfo(type, out _))
                {
                    missing.Add($"{method.Name}: {type}");
                }
            }
        }

        Assert.True(missing.Count == 0, "Types without generated metadata: " + string.Join("; ", missing));
    }

    [Fact]
    public void The_wire_options_give_generated_metadata_and_the_conventions_of_the_protocol()
    {
        var options = PipeJson.Default;
        Assert.True(options.IsReadOnly);
        var info = options.GetTypeInfo(typeof(ReaderDto));
        Assert.IsNotType<DefaultJsonTypeInfoResolver>(info.OriginatingResolver);

        var json = JsonSerializer.Serialize(
            new ReaderDto("Caisse é", null, [Contracts.Readers.CardTechnology.Desfire], Contracts.Readers.ReaderState.CardPresent), options);
        var reflected = JsonSerializer.Serialize(
            new ReaderDto("Caisse é", null, [Contracts.Readers.CardTechnology.Desfire], Contracts.Readers.ReaderState.CardPresent), PipeJson.CreateOptions());
        Assert.Equal(reflected, json);
        Assert.Contains("\"pluginId\":null", json, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"CardPresent\"", json, StringComparison.Ordinal);
        Assert.Contains("Caisse é", json, StringComparison.Ordinal);

        // An anonymous error payload (domain errors carry some) still goes out, through the reflection fallback.
        var error = JsonSerializer.Serialize(new ErrorData("detail", new { saleId = "s1", state = "Paying" }), options);
        Assert.Equal("{\"detail\":\"detail\",\"payload\":{\"saleId\":\"s1\",\"state\":\"Paying\"}}", error);
    }

    // Parameters left to reflection on purpose: generated code sets every init-only property, so a basket line
    // without "quantity" or "components" would read as 0 and null instead of the record's defaults.
    private static readonly HashSet<Type> ReadByReflection = [typeof(IReadOnlyList<Scripting.Globals.BasketLine>)];

    [Fact]
    public void A_basket_line_without_its_optional_members_keeps_the_records_defaults()
    {
        var lines = JsonSerializer.Deserialize<IReadOnlyList<Scripting.Globals.BasketLine>>("[{\"codeArticle\":12}]", PipeJson.CreateWireOptions(RpcContexts().Select(c => (IJsonTypeInfoResolver)c), [typeof(Scripting.Globals.BasketLine)]))!;
        Assert.Equal(12, lines[0].CodeArticle);
        Assert.Equal(1, lines[0].Quantity);
        Assert.NotNull(lines[0].Components);
        Assert.Empty(lines[0].Components);
    }

    private static List<JsonSerializerContext> RpcContexts()
    {
        var contexts = new List<JsonSerializerContext>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<AssemblyName>([new AssemblyName("Middleware.Host")]);
        while (pending.TryDequeue(out var name))
        {
            if (!seen.Add(name.Name!))
            {
                continue;
            }

            var assembly = Assembly.Load(name);
            foreach (var type in assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(JsonSerializerContext)) && (t.Name.EndsWith("RpcJsonContext", StringComparison.Ordinal) || t == typeof(PipeJsonContext))))
            {
                contexts.Add((JsonSerializerContext)type.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!);
            }

            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Middleware.", StringComparison.Ordinal)))
            {
                pending.Enqueue(reference);
            }
        }

        return contexts;
    }

    private static Type? ResultType(Type returnType)
    {
        if (returnType == typeof(void) || returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return null;
        }

        return returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? returnType.GetGenericArguments()[0]
            : returnType;
    }
}
