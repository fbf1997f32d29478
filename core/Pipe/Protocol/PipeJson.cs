using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Middleware.Pipe.Protocol;

/// <summary>The JSON conventions of the till protocol: camelCase names (French spec names stay as declared
/// with <see cref="JsonPropertyNameAttribute"/>), enums as their names, case-insensitive reading.</summary>
internal static class PipeJson
{
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
}
