using System.Text.Json;
using System.Text.Json.Serialization;

namespace Middleware.Pipe.Idempotency;

/// <summary>
/// A stored answer written back byte for byte. A replayed <see cref="JsonElement"/> would be re-escaped by the pipe's
/// writer (<c>+</c> as <c>\u002B</c>, accented letters as <c>\u00E9</c>): the same JSON to a parser, but not the same
/// bytes as the first answer, which a till comparing answers or a log reader should see.
/// </summary>
[JsonConverter(typeof(RawJsonAnswerConverter))]
internal sealed record RawJsonAnswer(string Json);

/// <summary>Writes <see cref="RawJsonAnswer.Json"/> as it is (it was produced by the pipe's own serializer).</summary>
internal sealed class RawJsonAnswerConverter : JsonConverter<RawJsonAnswer>
{
    public override RawJsonAnswer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJsonAnswer(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, RawJsonAnswer value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: true);
}
