using System.Text.Json;
using System.Text.Json.Serialization;

namespace Middleware.Host.Status;

/// <summary>The snapshot's JSON on the web server (camelCase, like the pipe's answers).</summary>
internal static class StatusJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
