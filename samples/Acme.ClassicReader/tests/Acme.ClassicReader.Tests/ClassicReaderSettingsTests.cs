using Xunit;

namespace Acme.ClassicReader.Tests;

public sealed class ClassicReaderSettingsTests
{
    [Fact]
    public void AValidKeyAndTheDefaultPatternsAreAccepted()
    {
        using var settings = new ClassicReaderSettings { KeyA = "a0a1a2a3a4a5" }.Validate();

        Assert.Equal(SampleZdc.Key, settings.KeyA.ToArray());
        Assert.True(settings.Claims(FakeClassicCard.PseudoAtr(0x0001)));
        Assert.True(settings.Claims(FakeClassicCard.PseudoAtr(0x0002)));
        Assert.False(settings.Claims(FakeClassicCard.PseudoAtr(0x003A)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("A0A1A2A3A4")]
    [InlineData("A0A1A2A3A4A5A6")]
    [InlineData("A0A1A2A3A4G5")]
    [InlineData("+0A1A2A3A4A5")]
    public void ABadKeyIsRefusedWithoutShowingIt(string? key)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ClassicReaderSettings { KeyA = key }.Validate());

        Assert.Contains("keyA", ex.Message, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(key))
        {
            Assert.DoesNotContain(key, ex.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void ABadAtrPatternIsRefusedNamingTheToken()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ClassicReaderSettings { KeyA = SampleZdc.KeyHex, AtrPatterns = ["3B 8F XY"] }.Validate());

        Assert.Contains("'XY'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAtrPatternIsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ClassicReaderSettings { KeyA = SampleZdc.KeyHex, AtrPatterns = [] }.Validate());

        Assert.Contains("atrPatterns", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StoppingWipesTheKey()
    {
        var settings = new ClassicReaderSettings { KeyA = SampleZdc.KeyHex }.Validate();

        settings.Dispose();

        Assert.All(settings.KeyA.ToArray(), b => Assert.Equal(0, b));
        Assert.DoesNotContain("A0A1", settings.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
