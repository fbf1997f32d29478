namespace Middleware.Plugins.Calypso;

/// <summary>What the ATR tells of the card's Calypso revision (<c>cards.md</c> §6).</summary>
internal enum CalypsoRevision
{
    /// <summary>The ATR does not tell: try the Rev2/3 select, fall back to the Rev1 read.</summary>
    Unknown,

    /// <summary>Rev1: CLA 94, no select.</summary>
    Rev1,

    /// <summary>Rev2 or Rev3: select by AID, then CLA 00.</summary>
    Rev3,
}
