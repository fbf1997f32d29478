using System.Collections;
using System.Reflection;
using System.Text.Json;
using Middleware.Contracts.Plugins;

namespace Middleware.PluginHost;

/// <summary>
/// Binds a plugin's settings to the plugin's own settings class without System.Text.Json ever seeing a plugin type.
/// </summary>
/// <remarks>
/// Why: System.Text.Json keeps process-wide caches (type metadata, emitted accessors) keyed by the types it
/// serialises; a plugin type in them keeps the plugin's collectible context alive forever, so the old version
/// never unloads. Here plugin-defined types are built by reflection (public settable properties, case-insensitive
/// names, as <see cref="SettingsJson.Options"/>), and only framework types (string, numbers, bool, lists of them,
/// dictionaries…) go through System.Text.Json.
/// </remarks>
internal static class SettingsBinder
{
    public static T Bind<T>(JsonElement settings) where T : new()
    {
        if (settings.ValueKind != JsonValueKind.Object)
        {
            return new T();
        }

        return (T)(BindValue(settings, typeof(T)) ?? new T());
    }

    private static object? BindValue(JsonElement value, Type type)
    {
        // Every enum by name or number, the framework's too (a serial line's "parity": "Even").
        var enumType = Nullable.GetUnderlyingType(type) ?? type;
        if (enumType.IsEnum)
        {
            return value.ValueKind switch
            {
                JsonValueKind.Null => type == enumType ? Activator.CreateInstance(type) : null,
                JsonValueKind.Number => Enum.ToObject(enumType, value.GetInt64()),
                _ => Enum.Parse(enumType, value.GetString() ?? "", ignoreCase: true),
            };
        }

        if (!IsPluginType(type))
        {
            return value.Deserialize(type, SettingsJson.Options);
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return type.IsValueType ? Activator.CreateInstance(type) : null;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return BindValue(value, underlying);
        }

        if (type.IsArray)
        {
            var items = BindList(value, type.GetElementType()!);
            var array = Array.CreateInstance(type.GetElementType()!, items.Count);
            items.CopyTo(array, 0);
            return array;
        }

        if (type.IsGenericType && ListElement(type) is { } element)
        {
            return BindList(value, element);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Setting of type {type.Name} must be a JSON object, not {value.ValueKind}.");
        }

        var target = Activator.CreateInstance(type)
            ?? throw new JsonException($"Cannot create settings of type {type.Name}.");
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);
        foreach (var json in value.EnumerateObject())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, json.Name, StringComparison.OrdinalIgnoreCase));
            if (property is not null)
            {
                property.SetValue(target, BindValue(json.Value, property.PropertyType));
            }
        }

        return target;
    }

    private static IList BindList(JsonElement value, Type element)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"A list of {element.Name} must be a JSON array.");
        }

        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        foreach (var item in value.EnumerateArray())
        {
            list.Add(BindValue(item, element));
        }

        return list;
    }

    private static Type? ListElement(Type type)
    {
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    /// <summary>True for a type that comes from a collectible (plugin) context, directly or as a generic argument.</summary>
    internal static bool IsPluginType(Type type) =>
        type.Assembly.IsCollectible
        || (type.IsArray && IsPluginType(type.GetElementType()!))
        || (type.IsGenericType && type.GetGenericArguments().Any(IsPluginType));
}
