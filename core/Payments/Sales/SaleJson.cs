using System.Text.Json;
using System.Text.Json.Serialization;

namespace Middleware.Payments.Sales;

/// <summary>
/// The stored form of a sale (<see cref="SaleStore"/>'s <c>body</c> column), with metadata generated at build time:
/// no reflection nor per-type set-up at run time, and straight to or from UTF-8. The same JSON as
/// <c>JsonSerializerDefaults.Web</c> with reflection (camelCase, enums by their converters), so a store may switch to
/// it without a migration (a test holds the two equal).
/// </summary>
internal static class SaleJson
{
    /// <summary>The sale as stored, UTF-16 (what a TEXT column binds).</summary>
    public static string Serialize(Sale sale) => JsonSerializer.Serialize(sale, SaleJsonContext.Default.Sale);

    /// <summary>The sale as stored, UTF-8.</summary>
    public static byte[] SerializeToUtf8Bytes(Sale sale) => JsonSerializer.SerializeToUtf8Bytes(sale, SaleJsonContext.Default.Sale);

    /// <summary>A stored sale; <see cref="InvalidDataException"/> for a JSON null.</summary>
    public static Sale Deserialize(string body) =>
        JsonSerializer.Deserialize(body, SaleJsonContext.Default.Sale) ?? throw new InvalidDataException("Empty sale record.");

    /// <summary>A stored sale read as UTF-8; <see cref="InvalidDataException"/> for a JSON null.</summary>
    public static Sale Deserialize(ReadOnlySpan<byte> utf8Body) =>
        JsonSerializer.Deserialize(utf8Body, SaleJsonContext.Default.Sale) ?? throw new InvalidDataException("Empty sale record.");
}

/// <summary>Build-time JSON metadata of <see cref="Sale"/> and its parts, web defaults (see <see cref="SaleJson"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Sale))]
internal sealed partial class SaleJsonContext : JsonSerializerContext;
