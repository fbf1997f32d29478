namespace Middleware.Scripting.Globals;

// Types in this namespace are the scripts' API (the "globals"). They live in the host, never in a
// hot-reloadable plugin (design.md lesson 6), and every public member here is reachable from a script:
// keep them data and pure helpers only.

/// <summary>One line of the basket a till sends: an article, or a set menu with its components.</summary>
public sealed record BasketLine
{
    /// <summary>The VEM <c>codeArticle</c> (for a set menu: the menu's own article).</summary>
    public required int CodeArticle { get; init; }

    public int Quantity { get; init; } = 1;

    /// <summary>The till's label, for messages; the catalogue's label wins on tickets.</summary>
    public string? Label { get; init; }

    /// <summary>For a set menu (formule): its components (starter, main, dessert); empty otherwise.</summary>
    public IReadOnlyList<BasketLine> Components { get; init; } = [];

    public bool IsSetMenu => Components.Count > 0;
}

/// <summary>The basket to price.</summary>
public sealed record Basket
{
    public IReadOnlyList<BasketLine> Lines { get; init; } = [];

    public bool IsEmpty => Lines.Count == 0;

    public static Basket Of(params BasketLine[] lines) => new() { Lines = lines };
}
