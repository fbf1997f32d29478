using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Classic;

/// <summary>
/// The plugin's <c>settings</c> in <c>plugins.json</c> (<c>cards.md</c> §4 layouts by default), e.g.
/// <c>{ "samKeyNumber": 0, "classic1K": { "sector": 1, "blocks": [4, 5] }, "classic4K": { "sector": 32, "blocks": [128, 129] } }</c>;
/// the common settings (<c>readerNamePattern</c>, <c>readTimeoutMs</c>) are the SDK's <see cref="PcscCardSettings"/>.
/// </summary>
internal sealed class ClassicSettings
{
    /// <summary>The SAM's exportable Classic master key entry that key A is diversified from. Default 0.</summary>
    public int SamKeyNumber { get; set; }

    /// <summary>Where the ZDC sits on a Classic 1K card, and the ATRs that name one.</summary>
    public ClassicLayoutSettings Classic1K { get; set; } = ClassicLayoutSettings.Default1K();

    /// <summary>Where the ZDC sits on a Classic 4K card, and the ATRs that name one.</summary>
    public ClassicLayoutSettings Classic4K { get; set; } = ClassicLayoutSettings.Default4K();

    /// <summary>The validated values. Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ValidatedClassicSettings Validate()
    {
        if (SamKeyNumber is < 0 or > 255)
        {
            throw new ArgumentException($"Setting samKeyNumber must be 0..255, not {SamKeyNumber}.");
        }

        return new ValidatedClassicSettings(
            (byte)SamKeyNumber,
            (Classic1K ?? throw new ArgumentException("Setting classic1K must be an object.")).Validate("classic1K", ClassicGeometry.Classic1KSectors, ClassicLayoutSettings.Default1K()),
            (Classic4K ?? throw new ArgumentException("Setting classic4K must be an object.")).Validate("classic4K", ClassicGeometry.Classic4KSectors, ClassicLayoutSettings.Default4K()));
    }
}

/// <summary>One card size's layout: the ZDC sector, its two blocks (32 bytes: the record then 3 zero bytes) and the
/// ATR patterns (hex bytes, <c>..</c> any byte, final <c>*</c> any tail).</summary>
internal sealed class ClassicLayoutSettings
{
    /// <summary>The sector holding the ZDC (absent: the size's default).</summary>
    public int? Sector { get; set; }

    /// <summary>The two data blocks of that sector, in order (absent: the size's default).</summary>
    public int[]? Blocks { get; set; }

    /// <summary>The ATRs that name this card size (absent: the PC/SC Part 3 pseudo-ATR of the size).</summary>
    public string[]? AtrPatterns { get; set; }

    public static ClassicLayoutSettings Default1K() => new()
    {
        Sector = 1,
        Blocks = [4, 5],
        AtrPatterns = ["3B 8F 80 01 80 4F 0C A0 00 00 03 06 .. 00 01 00 00 00 00 .."],
    };

    public static ClassicLayoutSettings Default4K() => new()
    {
        Sector = 32,
        Blocks = [128, 129],
        AtrPatterns = ["3B 8F 80 01 80 4F 0C A0 00 00 03 06 .. 00 02 00 00 00 00 .."],
    };

    /// <summary>The checked layout; what is absent comes from <paramref name="defaults"/>.</summary>
    public ClassicLayout Validate(string name, int sectors, ClassicLayoutSettings defaults)
    {
        var sector = Sector ?? defaults.Sector!.Value;
        var blocks = Blocks ?? defaults.Blocks!;
        var atrPatterns = AtrPatterns ?? defaults.AtrPatterns!;
        if (sector < 0 || sector >= sectors)
        {
            throw new ArgumentException($"Setting {name}.sector must be 0..{sectors - 1}, not {sector}.");
        }

        if (blocks is not { Length: 2 })
        {
            throw new ArgumentException($"Setting {name}.blocks must list exactly 2 blocks (the 32 bytes of the ZDC).");
        }

        foreach (var block in blocks)
        {
            if (!ClassicGeometry.IsDataBlockOf(sector, block))
            {
                // The trailer holds the keys and block 0 the manufacturer data: neither can hold the record.
                throw new ArgumentException($"Setting {name}.blocks: block {block} is not a data block of sector {sector}.");
            }
        }

        if (blocks[0] == blocks[1])
        {
            throw new ArgumentException($"Setting {name}.blocks must name two different blocks, not {blocks[0]} twice.");
        }

        if (atrPatterns is not { Length: > 0 })
        {
            throw new ArgumentException($"Setting {name}.atrPatterns must list at least one ATR pattern.");
        }

        AtrPattern[] patterns;
        try
        {
            patterns = [.. atrPatterns.Select(p => AtrPattern.Parse(p ?? ""))];
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Setting {name}.atrPatterns: {ex.Message}");
        }

        return new ClassicLayout((byte)sector, (byte)blocks[0], (byte)blocks[1], patterns);
    }
}
