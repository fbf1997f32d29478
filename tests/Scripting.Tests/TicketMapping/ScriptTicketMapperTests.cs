using System.Text.Json;
using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Scripting.TicketMapping;
using Middleware.Tickets.Mapping;
using static Middleware.Scripting.Tests.TicketMapping.MappingSamples;

namespace Middleware.Scripting.Tests.TicketMapping;

/// <summary>The script-backed ticket mapper over real script files (a private copy of the repository's scripts folder).</summary>
public sealed class ScriptTicketMapperTests : IDisposable
{
    private readonly TestScripts scripts = new();

    public ScriptTicketMapperTests()
    {
        // A site with settings but no mapping script of its own: the built-in mapping serves it.
        scripts.Write("sites/crous-5/ru-7/site.json", """{ "loyalty": { "pointsPerEuro": 3 } }""");
    }

    private static string Json(VemTicket ticket) => JsonSerializer.Serialize(ticket, VemJson.Options);

    [Fact]
    public void The_shipped_ru9_script_starts_from_the_built_in_ticket_and_adds_its_site_fields()
    {
        using var engine = scripts.Engine();
        var mapper = new ScriptTicketMapper(engine, PointsOfSale);
        var context = Context(Ru9, GuestSale());

        var ticket = mapper.Map(context);
        var builtIn = DefaultTicketMapper.Instance.Map(context);

        Assert.Equal("CROUS5-RU9", ticket.Complementaire!.Affectation);
        Assert.Equal(2, ticket.Complementaire.IdTypeDistribution); // the till said take-away: kept
        // Everything else is the built-in ticket.
        Assert.Equal(Json(builtIn with { Complementaire = builtIn.Complementaire! with { Affectation = "CROUS5-RU9" } }), Json(ticket));
        Assert.True(VemTicketValidator.Validate(ticket, CatalogReference.Instance).IsValid);
    }

    [Fact]
    public void The_ru9_script_keeps_a_known_customers_affectation()
    {
        using var engine = scripts.Engine();
        var ticket = new ScriptTicketMapper(engine, PointsOfSale).Map(Context(Ru9, StudentSale()));
        Assert.Equal(("INSA", 1), (ticket.Complementaire!.Affectation, ticket.Complementaire.IdTypeDistribution));
    }

    [Theory]
    [InlineData("5-1-9-8-15")] // configured without a script site
    [InlineData("5-1-7-1-1")] // a site folder without its own mapping.csx (the scripts root's is a template)
    [InlineData("9-9-9-9-9")] // not configured at all
    public void Without_a_site_mapping_script_the_built_in_mapping_maps(string pos)
    {
        using var engine = scripts.Engine();
        var mapper = new ScriptTicketMapper(engine, PointsOfSale);
        var context = Context(Domain.PointsOfSale.PointOfSaleId.Parse(pos), StudentSale());

        Assert.Equal(Json(DefaultTicketMapper.Instance.Map(context)), Json(mapper.Map(context)));
        Assert.Equal("the built-in mapping", mapper.MappedBy(context.PointOfSale));
        Assert.Equal(0, engine.CompilationCount); // no script ran
    }

    [Fact]
    public void MappedBy_names_the_site_script()
    {
        using var engine = scripts.Engine();
        Assert.Equal("the mapping script sites/crous-5/ru-9/mapping.csx of site crous-5/ru-9", new ScriptTicketMapper(engine, PointsOfSale).MappedBy(Ru9));
    }

    [Fact]
    public void The_script_receives_the_sale_as_the_built_in_mapping_sees_it()
    {
        scripts.Write("sites/crous-5/ru-9/mapping.csx", """
            var l = Sale.Lines;
            var c = Sale.Customer;
            return DefaultTicket with
            {
                Complementaire = DefaultTicket.Complementaire with
                {
                    NomClient = string.Join("|", l.Select(x => $"{x.CodeArticle}:{x.Quantity}:{x.UnitPriceTtc}:{x.CodeTva}:{x.VatRate}:{x.Kind}:{x.LoyaltyPoints}"))
                        + $"/{Sale.Payment.Montant}:{Sale.Payment.QrCode}/{c.CodeClient}:{c.CodeSociete}:{c.CodeTarif}:{c.LoyaltyBalance}/{Sale.BalanceAfter}/{Sale.IdTicketEntete}:{Sale.NumeroTicket}:{Sale.IdLogiciel}/{Now.Hour}",
                },
            };
            """);
        using var engine = scripts.Engine();
        var ticket = new ScriptTicketMapper(engine, PointsOfSale).Map(Context(Ru9, StudentSale()));

        // 2001 and the subsidy carry their articles' VAT code 1 (10 %); balance before = 43 after - 3 earned.
        Assert.Equal("2001:1:3.30:1:10:Article:3|9001:1:-2.30:1:10:Subsidy:/1.00:QR-1/C-42:10:1:40/12.5/7:2611267:39/12", ticket.Complementaire!.NomClient);
    }

    [Fact]
    public void A_throwing_script_fails_with_the_script_file_and_line()
    {
        scripts.Write("sites/crous-5/ru-9/mapping.csx", """
            var x = 1;
            throw Fail("no ticket on Thursdays");
            """);
        using var engine = scripts.Engine();
        var ex = Assert.Throws<MiddlewareException>(() => new ScriptTicketMapper(engine, PointsOfSale).Map(Context(Ru9, GuestSale())));
        Assert.Equal(ErrorCode.ScriptFaulted, ex.Code);
        Assert.Contains("sites/crous-5/ru-9/mapping.csx:2: no ticket on Thursdays", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_edit_applies_to_the_next_call_without_waiting_for_the_watcher()
    {
        using var engine = scripts.Engine();
        var mapper = new ScriptTicketMapper(engine, PointsOfSale);
        Assert.Equal("CROUS5-RU9", mapper.Map(Context(Ru9, GuestSale())).Complementaire!.Affectation);

        scripts.Write("sites/crous-5/ru-9/mapping.csx", """
            return DefaultTicket with { Complementaire = DefaultTicket.Complementaire with { Affectation = "EDITED" } };
            """);
        Assert.Equal("EDITED", mapper.Map(Context(Ru9, GuestSale())).Complementaire!.Affectation);

        // A save that does not compile keeps the last good version mapping.
        scripts.Write("sites/crous-5/ru-9/mapping.csx", "return DefaultTicket with { Oops = 1 };");
        Assert.Equal("EDITED", mapper.Map(Context(Ru9, GuestSale())).Complementaire!.Affectation);
    }

    public void Dispose() => scripts.Dispose();
}
