namespace Middleware.Plugins.Tetra.Link;

/// <summary>The link took no bytes within its budget (device away and not back, line stuck): an I/O failure, so the
/// SDK base drops the link and reports the terminal Unavailable.</summary>
internal sealed class LinkStalledException : IOException
{
    public LinkStalledException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
