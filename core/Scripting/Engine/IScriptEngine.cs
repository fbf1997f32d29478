using Middleware.Domain.Tickets;
using Middleware.Scripting.Globals;

namespace Middleware.Scripting.Engine;

/// <summary>
/// Runs the per-site pricing and ticket-mapping scripts. Thread-safe; a script edit is picked up without a
/// restart and the previous version keeps serving until the new one compiles. A script failure never crashes the
/// caller: it surfaces as a <see cref="Domain.Errors.MiddlewareException"/> with code <c>ScriptFaulted</c>
/// (or <c>ScriptNotFound</c>), with an English detail naming the file and line.
/// </summary>
public interface IScriptEngine
{
    /// <summary>Prices a basket with the site's <c>pricing.csx</c>.</summary>
    PricingResult Price(PricingRequest request);

    /// <summary>Builds the VEM ticket of a sale with the site's <c>mapping.csx</c>.</summary>
    VemTicket MapTicket(MappingRequest request);

    /// <summary>Every known script file with its state, version and errors.</summary>
    IReadOnlyList<ScriptStatus> GetStatus();

    /// <summary>Compiles every script under the root (start-up), and re-reads site settings and price lists.</summary>
    void ReloadAll();
}
