using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>
/// JSON values for method parameters: a plausible value of a .NET type (what a till would send, so that the other
/// parameters of a call do not hide the one being fuzzed), and the hostile values put in its place.
/// </summary>
internal static class JsonValues
{
    /// <summary>Stands for a hostile value in a serialized request; replaced by its raw JSON text afterwards (some of
    /// those texts, such as <c>1e400</c>, cannot be held by a <see cref="JsonNode"/>).</summary>
    public const string Marker = "@@HOSTILE@@";

    public const string PointOfSale = "5-1-9-8-14";

    /// <summary>Every wrong kind of value the issue asks for, as raw JSON text. Very long strings are made on demand.</summary>
    private static readonly string[] Fixed =
    [
        "\"text\"", "\"\"", "0", "1", "-1", "42.5", "true", "false", "null", "[]", "[1,\"a\",null]", "{}", "{\"a\":{\"b\":[]}}",
        "1e400", "-1e400", "-0", "-0.0", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        "123456789012345678901234567890", "-9223372036854775809", "18446744073709551616", "2147483648", "-2147483649",
        "1E+2", "0.0000000000000000000000000001", "79228162514264337593543950336",
        "\"00000000-0000-0000-0000-000000000000\"", "\"not-a-guid\"", "\"5-1-9-8-14\"", "\"99999999999-1-1-1-1\"",
        "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u0000\"", "\"é🙂\\n\\t\\\\\"", "\"' OR 1=1 --\"", "\"../../etc/passwd\"",
        "\"2026-13-45T99:99:99+25:00\"", "\"Active\"", "\"izly\"", "[[[[[[[[[[]]]]]]]]]]",
    ];

    public static int FixedCount => Fixed.Length;

    /// <summary>A hostile value: one of the fixed kinds, or a very long string (64 KiB to 512 KiB).</summary>
    public static string Hostile(Random random)
    {
        var pick = random.Next(Fixed.Length + 2);
        if (pick < Fixed.Length)
        {
            return Fixed[pick];
        }

        var length = pick == Fixed.Length ? 64 * 1024 : random.Next(64 * 1024, 512 * 1024);
        return "\"" + new string((char)('a' + random.Next(26)), length) + "\"";
    }

    /// <summary>What a till would plausibly send for a parameter of <paramref name="type"/> named <paramref name="name"/>.</summary>
    public static JsonNode? Plausible(Type type, string name, Random random, int depth = 0)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return random.Next(4) == 0 ? null : Plausible(underlying, name, random, depth);
        }

        if (type == typeof(string))
        {
            return name switch
            {
                "pointOfSale" => PointOfSale,
                "method" => random.Next(3) switch { 0 => "izly", 1 => "card", _ => "qr" },
                "requestId" or "ticketRequestId" => NewGuid(random).ToString(),
                _ => RandomWord(random),
            };
        }

        if (type == typeof(Guid))
        {
            return NewGuid(random).ToString();
        }

        if (type == typeof(bool))
        {
            return random.Next(2) == 0;
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
        {
            return random.Next(0, 3000);
        }

        if (type == typeof(decimal) || type == typeof(double))
        {
            return random.Next(0, 2000) / 100m;
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return "2026-11-26T11:30:00+00:00";
        }

        if (type == typeof(DateOnly))
        {
            return "2026-11-26";
        }

        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            return names[random.Next(names.Length)];
        }

        if (ElementType(type) is { } element)
        {
            var array = new JsonArray();
            for (var i = depth > 1 ? 0 : random.Next(1, 3); i > 0; i--)
            {
                array.Add(Plausible(element, name, random, depth + 1));
            }

            return array;
        }

        var node = new JsonObject();
        if (depth > 2)
        {
            return node;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
        {
            node[JsonName(property)] = Plausible(property.PropertyType, JsonName(property), random, depth + 1);
        }

        return node;
    }

    /// <summary>Every place in <paramref name="root"/> where a value can be replaced: (parent, property name or index).</summary>
    public static List<(JsonNode Parent, object Key)> Slots(JsonNode root)
    {
        var slots = new List<(JsonNode, object)>();
        Collect(root, slots);
        return slots;
    }

    public static void Replace(JsonNode parent, object key, JsonNode? value)
    {
        if (key is string property)
        {
            parent.AsObject()[property] = value;
        }
        else
        {
            parent.AsArray()[(int)key] = value;
        }
    }

    /// <summary>A version-4 UUID drawn from <paramref name="random"/> (so a seed replays the same request ids).</summary>
    public static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    public static string RandomWord(Random random)
    {
        var length = random.Next(1, 24);
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append((char)random.Next(0x20, 0x7F));
        }

        return text.ToString();
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj.ToList())
            {
                slots.Add((obj, key));
                if (child is not null)
                {
                    Collect(child, slots);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                slots.Add((array, i));
                if (array[i] is { } child)
                {
                    Collect(child, slots);
                }
            }
        }
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type) && !type.IsInterface)
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && type.GetGenericArguments() is [var element] ? element : null;
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
