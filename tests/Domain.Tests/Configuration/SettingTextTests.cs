using Middleware.Domain.Configuration;
using Xunit;

namespace Middleware.Domain.Tests.Configuration;

public sealed class SettingTextTests
{
    [Fact]
    public void Values_are_quoted_bounded_and_without_control_characters()
    {
        Assert.Equal("", SettingText.Printable(null));
        Assert.Equal("5-1-9-8-14", SettingText.Printable("5-1-9-8-14"));
        Assert.Equal("a\\u000d\\u000ab", SettingText.Printable("a\r\nb"));
        var longValue = SettingText.Printable(new string('x', 5000));
        Assert.Equal(121, longValue.Length);
        Assert.EndsWith("…", longValue);
    }
}
