using System.Text.Json.Serialization;

namespace Middleware.Api.Reference;

/// <summary>Compile-time JSON metadata of this project's till-protocol parameters and results, combined into the pipe's
/// serializer options (registered as an <see cref="Middleware.Domain.Rpc.RpcJsonMetadata"/>); names, enums and escaping
/// come from those options.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DictionaryKeyPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ReferenceSyncResult))]
[JsonSerializable(typeof(ReferenceStatus))]
internal sealed partial class ReferenceRpcJsonContext : JsonSerializerContext;
