using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Middleware.Pipe.Protocol;

/// <summary>The JSON conventions of the till protocol: camelCase names (French spec names stay as declared
/// with <see cref="JsonPropertyNameAttribute"/>), enums as their names, case-insensitive reading.</summary>
internal static class PipeJson
{
    /// <summary>The wire options of a pipe with only the pipe's own methods (tests, benchmarks of one connection).</summary>
    public static JsonSerializerOptions Default { get; } = CreateWireOptions([], []);

    /// <summary>The conventions alone, metadata by reflection (the protocol's schema export reads them).</summary>
    public static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            // Tills read UTF-8: keep "é" readable instead of \u00E9 (no HTML context here).
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    /// <summary>
    /// The options every connection's formatter starts from, built once per server: the same conventions, with the
    /// metadata of the pipe's types and of every <paramref name="generated"/> context (each project's RPC DTOs)
    /// looked up first. Reflection answers before them only for <paramref name="readByReflection"/> (parameter types
    /// generated code would read wrongly, see <c>RpcJsonMetadata</c>), and last for what no context can list: the
    /// anonymous objects some domain errors carry as <c>error.data.payload</c> (e.g. <c>new { saleId, state }</c>).
    /// </summary>
    public static JsonSerializerOptions CreateWireOptions(IEnumerable<IJsonTypeInfoResolver> generated, IEnumerable<Type> readByReflection)
    {
        var options = CreateOptions();
        var reflection = new DefaultJsonTypeInfoResolver();
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(
            [new ReflectionFor([.. readByReflection], reflection), PipeJsonContext.Default, .. generated, reflection]);
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Reflection metadata for the listed types only.</summary>
    private sealed class ReflectionFor(HashSet<Type> types, DefaultJsonTypeInfoResolver reflection) : IJsonTypeInfoResolver
    {
        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
            types.Contains(type) ? reflection.GetTypeInfo(type, options) : null;
    }
}
