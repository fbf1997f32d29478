using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Middleware.Domain.Errors;
using Middleware.Pipe.Protocol;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Tests.Protocol;

/// <summary>
/// Writes the JSON Schema of every till-protocol message from the code (core/Pipe/schema): for each method, the
/// <c>params</c> StreamJsonRpc binds to its parameters by name and the <c>result</c> its return type serializes to, with
/// the pipe's own JSON options; for each notification, its <c>params</c>; and the <c>error</c> object with every code and
/// its French message. Objects admit no other property, so a misspelt field in a till (or in PROTOCOL.md) is caught.
/// </summary>
internal static class ProtocolSchemaGenerator
{
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    /// <summary>How to write the committed files again after a change of the protocol's types.</summary>
    public const string RegenerateCommand =
        "UPDATE_PROTOCOL_SCHEMA=1 dotnet test tests/Pipe.Tests -c Release --filter FullyQualifiedName~ProtocolSchemaTests.The_committed_schema_is_the_one_the_code_generates";

    private static readonly JsonSerializerOptions WireOptions = CreateOptions();

    private static readonly JsonSchemaExporterOptions ExporterOptions = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = (context, node) =>
        {
            // The pipe writes exactly the declared properties, and binds no others.
            if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && node is JsonObject obj && obj.ContainsKey("properties"))
            {
                obj["additionalProperties"] = false;
            }

            return node;
        },
    };

    /// <summary>Every schema file, by its path under core/Pipe/schema, as the text to commit.</summary>
    public static SortedDictionary<string, string> Generate()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var registry = HostMethods.Registry();
        files["hello.json"] = Write(MethodSchema(RpcMethodRegistry.HelloMethod, typeof(PipeConnection).GetMethod(nameof(PipeConnection.Hello))!, mutating: false, operatorOnly: false));
        foreach (var method in registry.Methods)
        {
            files[method.Name + ".json"] = Write(MethodSchema(method.Name, method.Method, method.Mutating, method.Operator));
        }

        foreach (var (name, type) in Notifications)
        {
            files[$"notifications/{name}.json"] = Write(Document(name, $"The {name} notification (middleware to till: no id, never answered).",
                new JsonObject { ["params"] = Rebase(Export(type, nullable: false), "#/properties/params") }));
        }

        files["error.json"] = Write(ErrorSchema());
        return files;
    }

    private static readonly (string Name, Type Type)[] Notifications =
    [
        (NotificationNames.CardTapped, typeof(CardTappedNotification)),
        (NotificationNames.CardReadFailed, typeof(CardReadFailedNotification)),
        (NotificationNames.CardRemoved, typeof(CardRemovedNotification)),
        (NotificationNames.ReadersChanged, typeof(ReadersChangedNotification)),
    ];

    private static JsonSerializerOptions CreateOptions()
    {
        var options = PipeJson.CreateOptions();
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        // The schema says what the code declares: a non-nullable reference is never null, a constructor parameter
        // without a default is always written.
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.MakeReadOnly();
        return options;
    }

    private static JsonObject MethodSchema(string name, MethodInfo method, bool mutating, bool operatorOnly)
    {
        var nullability = new NullabilityInfoContext();
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var parameter in method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)))
        {
            var nullable = Nullable.GetUnderlyingType(parameter.ParameterType) is not null || nullability.Create(parameter).WriteState == NullabilityState.Nullable;
            properties[parameter.Name!] = Rebase(Export(parameter.ParameterType, nullable), $"#/properties/params/properties/{parameter.Name}");
            if (!parameter.HasDefaultValue && !parameter.IsOptional)
            {
                required.Add(parameter.Name);
            }
        }

        var parameters = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Count > 0)
        {
            parameters["required"] = required;
        }

        var (resultType, resultNullability) = ResultOf(method, nullability);
        var result = resultType is null
            ? new JsonObject { ["type"] = "null" }
            : Rebase(Export(resultType, Nullable.GetUnderlyingType(resultType) is not null || resultNullability == NullabilityState.Nullable), "#/properties/result");
        var description = (mutating ? "Mutating: params.requestId is a UUID, unique per point of sale. " : "")
            + (operatorOnly ? "Operator only (1006 to a till's account). " : "")
            + "params: what the till sends; result: what the middleware answers (an error answers error.json).";
        return Document(name, description, new JsonObject { ["params"] = parameters, ["result"] = result });
    }

    // Task<T> and ValueTask<T> answer T; Task, ValueTask and void answer null.
    private static (Type? Type, NullabilityState State) ResultOf(MethodInfo method, NullabilityInfoContext nullability)
    {
        var info = nullability.Create(method.ReturnParameter);
        var type = method.ReturnType;
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return (type.GetGenericArguments()[0], info.GenericTypeArguments[0].ReadState);
        }

        return type == typeof(void) || type == typeof(Task) || type == typeof(ValueTask) ? (null, NullabilityState.Nullable) : (type, info.ReadState);
    }

    private static JsonNode Export(Type type, bool nullable)
    {
        var node = WireOptions.GetJsonSchemaAsNode(type, ExporterOptions);
        return nullable ? AllowNull(node) : node;
    }

    private static JsonNode AllowNull(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            return node;
        }

        switch (obj["type"])
        {
            case JsonValue single when single.GetValue<string>() != "null":
                obj["type"] = new JsonArray(single.GetValue<string>(), "null");
                break;
            case JsonArray types when !types.Any(t => t?.GetValue<string>() == "null"):
                types.Add("null");
                break;
        }

        if (obj["enum"] is JsonArray values && !values.Any(v => v is null))
        {
            values.Add(null);
        }

        return node;
    }

    // The exporter's $ref pointers start at the type's own root; here that root sits deeper in the document.
    private static JsonNode Rebase(JsonNode node, string root)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.GetValue<string>() is { } target && target.StartsWith('#'))
                {
                    obj["$ref"] = root + target[1..];
                }

                foreach (var (_, value) in obj.ToList())
                {
                    if (value is not null)
                    {
                        Rebase(value, root);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Rebase(item, root);
                    }
                }

                break;
        }

        return node;
    }

    private static JsonObject ErrorSchema()
    {
        // Each code with its own French message: the till shows or reads that message to the cashier.
        var codes = new JsonArray();
        foreach (var (code, message) in ProtocolErrors.StandardMessages.OrderBy(m => m.Key))
        {
            codes.Add(new JsonObject { ["properties"] = new JsonObject { ["code"] = new JsonObject { ["const"] = code }, ["message"] = new JsonObject { ["const"] = message } } });
        }

        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            codes.Add(new JsonObject
            {
                ["title"] = code.ToString(),
                ["properties"] = new JsonObject { ["code"] = new JsonObject { ["const"] = (int)code }, ["message"] = new JsonObject { ["const"] = ErrorMessages.For(code) } },
            });
        }

        var data = Export(typeof(ErrorData), nullable: false);
        return Document("error", "The error of an answer: a stable code, its French message for the cashier, data.detail (English, for support) and sometimes data.payload.",
            new JsonObject { ["error"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["code"] = new JsonObject { ["type"] = "integer" }, ["message"] = new JsonObject { ["type"] = "string" }, ["data"] = Rebase(AllowNull(data), "#/properties/error/properties/data") },
                ["required"] = new JsonArray("code", "message"),
                ["additionalProperties"] = false,
                ["oneOf"] = codes,
            } });
    }

    private static JsonObject Document(string title, string description, JsonObject properties) => new()
    {
        ["$schema"] = Dialect,
        ["title"] = title,
        ["description"] = description,
        ["type"] = "object",
        ["properties"] = properties,
        ["additionalProperties"] = false,
    };

    private static string Write(JsonNode node) =>
        node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
}
