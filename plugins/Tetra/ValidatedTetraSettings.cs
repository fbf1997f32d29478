using Middleware.Plugins.Tetra.Link;

namespace Middleware.Plugins.Tetra;

/// <summary>Checked <see cref="TetraSettings"/>.</summary>
/// <param name="TillNumber">The till number of every request.</param>
/// <param name="Link">The Concert link's step timeout and retries.</param>
/// <param name="FullPaymentReport">Whether payments ask for the full answer.</param>
internal sealed record ValidatedTetraSettings(int TillNumber, ConcertLinkOptions Link, bool FullPaymentReport);
