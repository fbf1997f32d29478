namespace Middleware.Plugins.Tetra.Codec;

/// <summary>Debit (a sale) or credit (a refund): the Concert E+ <c>type</c> field.</summary>
internal enum ConcertTransactionType
{
    Debit,
    Credit,
}
