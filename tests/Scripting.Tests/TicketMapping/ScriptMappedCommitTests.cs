using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Middleware.Domain.Errors;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Globals;
using Middleware.Tickets;
using Middleware.Tickets.Mapping;
using static Middleware.Scripting.Tests.TicketMapping.MappingSamples;

namespace Middleware.Scripting.Tests.TicketMapping;

/// <summary>
/// The host's composition of scripts and tickets (AddScripting + AddTickets + AddScriptTicketMapping) over a real
/// scripts folder and a real SQLite outbox: what the site script maps is what the outbox stores, an edit on disk applies
/// to the next commit, and a failing script refuses one sale without consuming its number.
/// </summary>
public sealed class ScriptMappedCommitTests : IAsyncDisposable
{
    private const string MappingFile = "sites/crous-5/ru-9/mapping.csx";
    private readonly TestScripts scripts = new();
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "mw-script-commit-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider provider;
    private readonly ITicketService tickets;
    private readonly List<ServiceDescriptor> registrations;

    public ScriptMappedCommitTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PointsOfSale:0:Id"] = Ru9.ToString(),
            ["PointsOfSale:0:ScriptSite"] = "crous-5/ru-9",
            ["PointsOfSale:0:TimeZone"] = "Europe/Paris",
            ["PointsOfSale:1:Id"] = NoSite.ToString(),
            ["PointsOfSale:1:TimeZone"] = "Europe/Paris",
            ["Scripting:ScriptsRoot"] = scripts.Root,
            ["Scripting:CacheDirectory"] = TestScripts.SharedCache,
            ["Tickets:DatabasePath"] = Path.Combine(dataDir, "tickets.db"),
            ["Tickets:VersionLogiciel"] = "test",
            ["Tickets:UnknownNumberingOrigin"] = "StartAtOne",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IPriceCatalog>(TestScripts.Catalog);
        services.AddSingleton<IReferenceCatalog>(CatalogReference.Instance);
        services.AddScripting(configuration);
        services.AddTickets(configuration);
        services.AddScriptTicketMapping(configuration);
        registrations = [.. services];
        provider = services.BuildServiceProvider();
        tickets = provider.GetRequiredService<ITicketService>();
    }

    private async Task<VemTicket> StoredAsync(TicketReceipt receipt) =>
        (await tickets.GetAsync(Ru9, long.Parse(receipt.IdTicketEntete, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None))!.Ticket!;

    [Fact]
    public void The_host_composition_uses_the_script_mapper()
    {
        Assert.IsType<Middleware.Scripting.TicketMapping.ScriptTicketMapper>(provider.GetRequiredService<ITicketMapper>());
        // Registered once, whatever the order of AddTickets and AddScriptTicketMapping.
        Assert.Single(registrations, d => d.ServiceType == typeof(ITicketMapper));
    }

    [Fact]
    public async Task The_stored_ticket_is_the_scripts_and_an_edit_on_disk_applies_to_the_next_commit()
    {
        var first = await tickets.CommitAsync(Ru9, "r-1", GuestSale(1), CancellationToken.None);
        Assert.Equal(("1", "CROUS5-RU9"), (first.IdTicketEntete, (await StoredAsync(first)).Complementaire!.Affectation));

        scripts.Write(MappingFile, """
            // The site now reports its new code and its own software id.
            return DefaultTicket with { Complementaire = DefaultTicket.Complementaire with { Affectation = "RU9-" + Site.Text("loyalty.pointsPerEuro"), IdLogiciel = 77 } };
            """);
        var second = await tickets.CommitAsync(Ru9, "r-2", GuestSale(2), CancellationToken.None);
        var stored = await StoredAsync(second);
        Assert.Equal(("2", "RU9-2", 77), (second.IdTicketEntete, stored.Complementaire!.Affectation, stored.Complementaire.IdLogiciel));

        // A point of sale without a site script keeps the built-in mapping in the same outbox.
        var other = await tickets.CommitAsync(NoSite, "r-3", GuestSale(3), CancellationToken.None);
        var otherTicket = (await tickets.GetAsync(NoSite, 1, CancellationToken.None))!.Ticket!;
        Assert.Equal(("1", null), (other.IdTicketEntete, otherTicket.Complementaire!.Affectation));
    }

    [Fact]
    public async Task A_throwing_script_refuses_that_sale_consumes_no_number_and_the_next_valid_sale_gets_the_next_one()
    {
        var first = await tickets.CommitAsync(Ru9, "r-1", GuestSale(1), CancellationToken.None);
        Assert.Equal("1", first.IdTicketEntete);

        scripts.Write(MappingFile, """
            if (Sale.Lines.Count > 1)
            {
                throw Fail("rule 12: one article per ticket at this site");
            }
            return DefaultTicket;
            """);
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => tickets.CommitAsync(Ru9, "r-2", GuestSale(2), CancellationToken.None));
        Assert.Equal(ErrorCode.ScriptFaulted, ex.Code);
        Assert.Contains($"{MappingFile}:3: rule 12: one article per ticket at this site", ex.Message, StringComparison.Ordinal);
        Assert.Null(await tickets.GetByRequestIdAsync(Ru9, "r-2", CancellationToken.None));

        // The same script maps a one-line sale: it gets number 2, the refused sale left no gap.
        var single = GuestSale(3) with { Lines = [GuestSale(3).Lines[0]] };
        var next = await tickets.CommitAsync(Ru9, "r-3", single, CancellationToken.None);
        Assert.Equal("2", next.IdTicketEntete);
        Assert.EndsWith("2", next.NumeroTicket, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incoherent_ticket_from_the_script_is_refused_by_validation_naming_the_rule_and_the_script()
    {
        scripts.Write(MappingFile, """
            // Bug: the payment forgets the juice.
            var p = DefaultTicket.ListeReglements[0];
            return DefaultTicket with { ListeReglements = new[] { p with { Montant = 5.20m } } };
            """);
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => tickets.CommitAsync(Ru9, "r-1", GuestSale(1), CancellationToken.None));
        Assert.Equal(ErrorCode.TicketInvalid, ex.Code);
        Assert.Contains($"mapping script {MappingFile}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(TicketRules.PaymentAmount, ex.Message, StringComparison.Ordinal);

        scripts.Write(MappingFile, "return DefaultTicket;");
        var fixedReceipt = await tickets.CommitAsync(Ru9, "r-2", GuestSale(2), CancellationToken.None);
        Assert.Equal("1", fixedReceipt.IdTicketEntete);
    }

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        scripts.Dispose();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
