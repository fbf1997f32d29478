using Middleware.Tests.Serial;
namespace Middleware.Tetra.Tests.Support;

/// <summary>A theory that needs socat: skipped without it on a developer machine, failed without it on CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class SocatTheoryAttribute : TheoryAttribute
{
    public SocatTheoryAttribute()
    {
        if (new SocatFactAttribute().Skip is { } skip)
        {
            Skip = skip;
        }
    }
}
