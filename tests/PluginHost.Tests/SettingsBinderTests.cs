using System.Text.Json;

namespace Middleware.PluginHost.Tests;

/// <summary>A plugin's settings bind framework enums by name as well as by number (the Tetra's "parity": "Even").</summary>
public sealed class SettingsBinderTests
{
    [Fact]
    public void Framework_enums_bind_by_name_or_number_nullable_or_not()
    {
        using var json = JsonDocument.Parse("""{ "day": "friday", "maybeDay": "Monday", "access": 2, "noDay": null, "days": ["Sunday", 6] }""");

        var settings = SettingsBinder.Bind<EnumSettings>(json.RootElement);

        Assert.Equal(DayOfWeek.Friday, settings.Day);
        Assert.Equal(DayOfWeek.Monday, settings.MaybeDay);
        Assert.Equal(FileAccess.Write, settings.Access);
        Assert.Null(settings.NoDay);
        Assert.Equal([DayOfWeek.Sunday, DayOfWeek.Saturday], settings.Days);
    }

    [Fact]
    public void An_unknown_enum_name_is_refused_naming_the_value()
    {
        using var json = JsonDocument.Parse("""{ "day": "Caturday" }""");

        var ex = Assert.ThrowsAny<Exception>(() => SettingsBinder.Bind<EnumSettings>(json.RootElement));

        Assert.True(ex is ArgumentException or JsonException, ex.GetType().Name);
        Assert.Contains(ex is JsonException ? "$.day" : "Caturday", ex.Message, StringComparison.Ordinal);
    }

    public sealed class EnumSettings
    {
        public DayOfWeek Day { get; set; }

        public DayOfWeek? MaybeDay { get; set; }

        public DayOfWeek? NoDay { get; set; } = DayOfWeek.Tuesday;

        public FileAccess Access { get; set; }

        public DayOfWeek[] Days { get; set; } = [];
    }
}
