using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.Pipe.Idempotency;

namespace Middleware.Pipe.Protocol;

/// <summary>
/// Compile-time JSON metadata of what the pipe itself writes and reads: its methods' parameters and results, its
/// notifications, the error data, stored answers, and the primitives any method binds (a source-generated resolver
/// answers only for the types it lists). The conventions come from the options it is combined into
/// (<see cref="PipeJson"/>): names, enums and escaping stay those of the wire.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(HelloResult))]
[JsonSerializable(typeof(PluginStatusDto))]
[JsonSerializable(typeof(IReadOnlyList<PluginStatusDto>))]
[JsonSerializable(typeof(ReaderDto))]
[JsonSerializable(typeof(IReadOnlyList<ReaderDto>))]
[JsonSerializable(typeof(CardTappedNotification))]
[JsonSerializable(typeof(CardReadFailedNotification))]
[JsonSerializable(typeof(CardRemovedNotification))]
[JsonSerializable(typeof(ReadersChangedNotification))]
[JsonSerializable(typeof(ErrorData))]
[JsonSerializable(typeof(StoredError))]
[JsonSerializable(typeof(RawJsonAnswer))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(bool?))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(long?))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(decimal?))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(Guid))]
[JsonSerializable(typeof(Guid?))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(DateOnly))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class PipeJsonContext : JsonSerializerContext;
