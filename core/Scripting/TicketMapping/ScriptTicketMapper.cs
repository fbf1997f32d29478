using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;

namespace Middleware.Scripting.TicketMapping;

/// <summary>
/// The host's <see cref="ITicketMapper"/>: a point of sale whose script site (<c>PointsOfSale[].ScriptSite</c>) has
/// its own <c>mapping.csx</c> (in its site folder or its Crous folder) is mapped by that script; any other point of
/// sale by the built-in mapping (<see cref="DefaultTicketMapper"/>; the scripts root's <c>mapping.csx</c> is the
/// template site scripts start from, not a second default). The script receives the sale as the built-in mapping
/// sees it (lines with the VAT code the default rules give, the payment, the customer) and the built-in ticket as
/// <c>DefaultTicket</c>, so it may change only what its site needs. Its output is then numbered and validated by the
/// ticket service like any other mapping: a failing script or an incoherent ticket refuses that one sale.
/// <para>
/// Lives in core/Scripting so that core/Tickets stays free of the script engine. A saved edit of a mapping script
/// applies from the next commit on: each call compares the file's timestamp and size with the last ones seen and
/// reloads the script first when they differ (a compile error keeps the previous version serving).
/// </para>
/// </summary>
public sealed class ScriptTicketMapper : ITicketMapper
{
    private readonly ScriptEngine engine;
    private readonly ITicketMapper fallback;
    private readonly FrozenDictionary<PointOfSaleId, PointOfSaleOptions> pointsOfSale;
    private readonly ILogger logger;
    private readonly IPriceCatalogSource? catalogs;
    private readonly ConcurrentDictionary<string, (DateTime Written, long Length)> seen = new(StringComparer.Ordinal);

    public ScriptTicketMapper(ScriptEngine engine, IEnumerable<PointOfSaleOptions> pointsOfSale, ITicketMapper? fallback = null, ILogger<ScriptTicketMapper>? logger = null, IPriceCatalogSource? catalogs = null)
    {
        this.catalogs = catalogs;
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(pointsOfSale);
        this.engine = engine;
        this.fallback = fallback ?? DefaultTicketMapper.Instance;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        this.pointsOfSale = pointsOfSale
            .Where(p => PointOfSaleId.TryParse(p.Id, out _))
            .GroupBy(p => PointOfSaleId.Parse(p.Id))
            .ToFrozenDictionary(g => g.Key, g => g.First());
    }

    public VemTicket Map(TicketMappingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var builtIn = fallback.Map(context);
        if (!pointsOfSale.TryGetValue(context.PointOfSale, out var pos) || ScriptFor(pos) is not { } script)
        {
            return builtIn;
        }

        EnsureCurrent(script);
        return engine.MapTicket(new MappingRequest
        {
            Site = pos.ScriptSite,
            TimeZone = pos.TimeZone,
            Sale = SaleForMappingFactory.From(context, builtIn),
            At = context.Identity.Date,
            DefaultTicket = builtIn,
            VemCatalog = catalogs?.For(context.PointOfSale),
        });
    }

    public string MappedBy(PointOfSaleId pointOfSale) =>
        pointsOfSale.TryGetValue(pointOfSale, out var pos) && ScriptFor(pos) is { } script
            ? $"the mapping script {engine.RelativeName(script)} of site {pos.ScriptSite}"
            : fallback.MappedBy(pointOfSale);

    private string? ScriptFor(PointOfSaleOptions pos) =>
        string.IsNullOrWhiteSpace(pos.ScriptSite) ? null : engine.SiteMappingScript(pos.ScriptSite);

    /// <summary>Reloads the script when its file changed since the last call (one stat per commit, no read).</summary>
    private void EnsureCurrent(string script)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(script);
            info.Refresh();
            if (!info.Exists)
            {
                // Removed: the engine's next reload drops it; until then the last version serves.
                return;
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Mapping script {Script} cannot be inspected; the loaded version serves", script);
            return;
        }

        var stamp = (info.LastWriteTimeUtc, info.Length);
        if (seen.TryGetValue(script, out var last) && last == stamp)
        {
            return;
        }

        seen[script] = stamp;
        // The watcher reloads it too, after its debounce; doing it here makes the very next commit use the saved
        // version. Reload is a no-op when the content is the one already serving.
        if (!engine.Reload(engine.HandleFor(script)))
        {
            logger.LogWarning("Mapping script {Script} as saved does not compile; the previous version keeps mapping", engine.RelativeName(script));
        }
    }
}

/// <summary>Turns what the ticket service knows of a sale into the mapping script's <see cref="SaleForMapping"/>.</summary>
internal static class SaleForMappingFactory
{
    public static SaleForMapping From(TicketMappingContext context, VemTicket builtIn)
    {
        var sale = context.Sale;
        var lines = new List<PricedLine>(sale.Lines.Count);
        for (var i = 0; i < sale.Lines.Count; i++)
        {
            var line = sale.Lines[i];
            // The VAT code the default rules give this line (article's, or the profile's for a CB payment).
            var codeTva = i < builtIn.ListeLignes.Count ? builtIn.ListeLignes[i].CodeTva : context.Catalog.ArticleVatCode(line.CodeArticle) ?? 0;
            lines.Add(new PricedLine
            {
                CodeArticle = line.CodeArticle,
                Label = line.Label ?? "",
                Quantity = line.Quantity,
                UnitPriceTtc = line.UnitPriceTtc,
                CodeTva = codeTva,
                Kind = line.Kind switch
                {
                    SaleLineKind.EntryFee => LineKind.EntryFee,
                    SaleLineKind.Subsidy => LineKind.Subsidy,
                    _ => LineKind.Article,
                },
                LoyaltyPoints = line.LoyaltyGain,
                VatRate = context.Catalog.VatRate(codeTva) ?? 0m,
            });
        }

        var c = sale.Customer;
        var earned = sale.LoyaltyPointsEarned ?? sale.Lines.Sum(l => l.LoyaltyGain ?? 0);
        return new SaleForMapping
        {
            IdTicketEntete = builtIn.IdTicketEntete,
            NumeroTicket = builtIn.NumeroTicket,
            Date = context.Identity.Date,
            VersionLogiciel = context.Identity.VersionLogiciel,
            IdLogiciel = context.Identity.IdLogiciel,
            Lines = lines,
            Payment = builtIn.ListeReglements.Count > 0
                ? builtIn.ListeReglements[0]
                : throw new MiddlewareException(ErrorCode.TicketInvalid, "The sale has no payment."),
            Customer = c is null ? null : new CustomerProfile
            {
                CodeSociete = c.CodeSociete ?? Societes.Guest,
                CodeTarif = c.Tarif ?? 1,
                CodeClient = c.CodeClient,
                Name = c.Name,
                ValidUntil = c.ValidUntil,
                // The sale carries the balance after it; the script's profile holds the one before (as at pricing).
                LoyaltyBalance = sale.LoyaltyBalance is { } after ? after - earned : 0,
            },
            BalanceAfter = c?.BalanceAfter,
            DistributionType = sale.Distribution is { } d ? (int)d : null,
        };
    }
}
