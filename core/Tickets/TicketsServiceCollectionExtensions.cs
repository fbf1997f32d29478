using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Rpc;
using Middleware.Tickets.Closing;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Numbering;
using Middleware.Tickets.Rpc;
using Middleware.Tickets.Sending;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Whiz;

namespace Middleware.Tickets;

/// <summary>DI registration of the tickets feature.</summary>
public static class TicketsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITicketService"/>, the background sender (an <c>IHostedService</c>), the Whiz queue and the
    /// <c>tickets.*</c>, <c>outbox.*</c>, <c>whiz.*</c> RPC methods. Options from section <c>Tickets</c>; point-of-sale
    /// time zones from <c>PointsOfSale</c>. Needs an <see cref="IReferenceCatalogSource"/> (or one <see cref="IReferenceCatalog"/> for every point of sale) and an <see cref="ITicketUploader"/>
    /// (default: over core/Api's <c>IVemClient</c>, from <c>AddCrousApis</c>); <see cref="ITicketMapper"/> defaults to <see cref="DefaultTicketMapper"/> (register a
    /// script mapper before or after to replace it); <see cref="IWhizClient"/> likewise defaults to the VEM client's Whiz calls.
    /// </summary>
    public static IServiceCollection AddTickets(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TicketsOptions>().Bind(configuration.GetSection(TicketsOptions.SectionName)).Configure(o =>
        {
            foreach (var pos in configuration.GetSection("PointsOfSale").Get<List<PointOfSaleOptions>>() ?? [])
            {
                if (!string.IsNullOrWhiteSpace(pos.Id) && !o.TimeZones.ContainsKey(pos.Id))
                {
                    o.TimeZones[pos.Id] = pos.TimeZone;
                }
            }
        }).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TicketsOptions>, TicketsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITicketMapper>(DefaultTicketMapper.Instance);
        services.TryAddSingleton(sp => new TicketDatabase(sp.GetRequiredService<IOptions<TicketsOptions>>().Value.DatabasePath, sp.GetService<ILogger<TicketDatabase>>()));
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton(sp => new TicketQueueDepth(sp.GetRequiredService<TicketDatabase>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<TicketsOptions>>().Value.TimeZones.Keys));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TicketsOptions>>().Value);
        services.AddOptions<JournalOptions>().Bind(configuration.GetSection(JournalOptions.SectionName))
            .PostConfigure<IOptions<TicketsOptions>>((o, tickets) => o.HeadFile ??= tickets.Value.DatabasePath + ".head")
            .Validate(o => !string.IsNullOrWhiteSpace(o.SigningKeyFile) && !string.IsNullOrWhiteSpace(o.ArchiveDirectory),
                "Journal:SigningKeyFile and Journal:ArchiveDirectory must be set")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<JournalOptions>>().Value);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<JournalOptions>();
            var key = JournalSigningKey.LoadOrCreate(o.SigningKeyFile);
            return new JournalWriter(key, new JournalHeadAnchor(o.HeadFile!, key, sp.GetService<ILogger<JournalHeadAnchor>>()));
        });
        services.TryAddSingleton(sp => new JournalService(
            sp.GetRequiredService<TicketDatabase>(), sp.GetRequiredService<JournalWriter>(), sp.GetRequiredService<JournalOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<JournalService>>()));
        services.TryAddSingleton(sp => new ClosingService(
            sp.GetRequiredService<TicketDatabase>(), sp.GetRequiredService<JournalWriter>(), sp.GetRequiredService<TicketsOptions>(),
            sp.GetService<IReferenceCatalogSource>() ?? new FixedReferenceCatalogSource(sp.GetRequiredService<IReferenceCatalog>()),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<IClosingOpenItemsSource>(), sp.GetService<ILogger<ClosingService>>(),
            sp.GetRequiredService<JournalOptions>().ArchiveDirectory));
        // Today's totals so far, read-only (the operator status page).
        services.TryAddSingleton(sp => new DayTotalsPreview(sp.GetRequiredService<TicketDatabase>(), sp.GetRequiredService<TicketsOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TicketService(
            sp.GetRequiredService<TicketDatabase>(),
            sp.GetRequiredService<TicketsOptions>(),
            sp.GetRequiredService<ITicketMapper>(),
            sp.GetService<IReferenceCatalogSource>() ?? new FixedReferenceCatalogSource(sp.GetRequiredService<IReferenceCatalog>()),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<OutboxSignal>(),
            sp.GetService<ILogger<TicketService>>(),
            sp.GetService<INumberingOriginSource>() ?? (sp.GetService<Api.Vem.IVemClient>() is { } vem ? new VemNumberingOriginSource(vem) : null),
            sp.GetRequiredService<JournalWriter>()));
        services.TryAddSingleton<ITicketService>(sp => sp.GetRequiredService<TicketService>());
        // The VEM client of core/Api (AddCrousApis) carries uploads and the Whiz feed unless the host registers its own seams.
        services.TryAddSingleton<ITicketUploader>(sp => new VemTicketUploader(sp.GetRequiredService<Api.Vem.IVemClient>()));
        services.TryAddSingleton<IWhizClient>(sp => new VemWhizClient(sp.GetRequiredService<Api.Vem.IVemClient>()));
        services.TryAddSingleton<TicketSender>();
        services.TryAddSingleton<WhizQueue>();
        services.AddSingleton<IRpcTarget, TicketsRpcTarget>();
        services.AddSingleton<IRpcTarget, JournalRpcTarget>();
        services.AddSingleton(new RpcJsonMetadata(TicketsRpcJsonContext.Default));
        services.AddHostedService<JournalStartupCheck>();
        services.AddHostedService(sp => new TicketSenderService(
            sp.GetRequiredService<TicketSender>(),
            sp.GetRequiredService<WhizQueue>(),
            sp.GetService<IWhizClient>(),
            sp.GetRequiredService<OutboxSignal>(),
            sp.GetRequiredService<TicketsOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TicketSenderService>>()));
        return services;
    }
}
