using Middleware.Domain.Tickets;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Testing;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>The example rules of the default and RU 9 scripts, through the real engine (compiled scripts).</summary>
public sealed class ExampleRuleTests : IDisposable
{
    private readonly TestScripts scripts = new();

    [Fact]
    public void Student_price_uses_the_articles_vat_and_guest_price_the_guest_profiles_vat()
    {
        using var engine = scripts.Engine();
        var student = engine.Price(Request(null, Student, Item(1201)));
        var guest = engine.Price(Request(null, Guest, Item(1201)) with { PaymentCode = CodeReglement.Cb });

        var s = Assert.Single(student.Lines);
        Assert.Equal((1201, 2.20m, 1, 2.00m), (s.CodeArticle, s.UnitPriceTtc, s.CodeTva, s.UnitPriceHt));
        Assert.Equal((1201, 5.20m, 2, 4.33m), (guest.Lines[0].CodeArticle, guest.Lines[0].UnitPriceTtc, guest.Lines[0].CodeTva, guest.Lines[0].UnitPriceHt));
    }

    [Fact]
    public void Guest_pays_the_entry_fee_as_a_line_of_its_own()
    {
        using var engine = scripts.Engine();
        var result = engine.Price(Request(null, Guest, Item(1201)));
        Assert.Equal([1201, 9100], result.Lines.Select(l => l.CodeArticle));
        Assert.Equal(LineKind.EntryFee, result.Lines[1].Kind);
        Assert.Equal(6.70m, result.TotalTtc);

        var student = engine.Price(Request(null, Student, Item(1201)));
        Assert.DoesNotContain(student.Lines, l => l.Kind == LineKind.EntryFee);
    }

    [Fact]
    public void Set_menu_is_one_line_at_the_bundle_price()
    {
        using var engine = scripts.Engine();
        var result = engine.Price(Request(null, Student, Menu()));
        var line = Assert.Single(result.Lines);
        Assert.Equal((2001, LineKind.SetMenu, 3.30m), (line.CodeArticle, line.Kind, line.UnitPriceTtc));
        Assert.True(line.UnitPriceTtc < 0.60m + 2.20m + 0.60m + 0.01m);
    }

    [Fact]
    public void One_euro_meal_is_a_negative_subsidy_line_for_eligible_valid_students_only()
    {
        using var engine = scripts.Engine();
        var eligible = Student with { OneEuroMealEligible = true, ValidUntil = new DateTimeOffset(2027, 8, 31, 23, 59, 0, TimeSpan.FromHours(2)) };
        var result = engine.Price(Request(null, eligible, Menu()));
        Assert.Equal(1.00m, result.TotalTtc);
        var subsidy = result.Lines[1];
        Assert.Equal((9001, 1, -2.30m, LineKind.Subsidy), (subsidy.CodeArticle, subsidy.Quantity, subsidy.UnitPriceTtc, subsidy.Kind));

        var expired = engine.Price(Request(null, eligible with { ValidUntil = new DateTimeOffset(2026, 8, 31, 0, 0, 0, TimeSpan.Zero) }, Menu()));
        Assert.Equal(3.30m, expired.TotalTtc);
        Assert.Equal(3.30m, engine.Price(Request(null, Student, Menu())).TotalTtc);
    }

    [Fact]
    public void Evening_tariff_applies_by_the_local_time_of_the_site()
    {
        using var engine = scripts.Engine();
        var lunch = engine.Price(Request("crous-5/ru-9", Student, Menu()) with { At = new DateTimeOffset(2026, 11, 26, 11, 15, 0, TimeSpan.Zero) });
        // 17:40 UTC is 18:40 in Paris in November: evening.
        var evening = engine.Price(Request("crous-5/ru-9", Student, Menu()) with { At = new DateTimeOffset(2026, 11, 26, 17, 40, 0, TimeSpan.Zero) });
        Assert.Equal((2001, 3.30m), (lunch.Lines[0].CodeArticle, lunch.Lines[0].UnitPriceTtc));
        Assert.Equal((2002, 2.80m), (evening.Lines[0].CodeArticle, evening.Lines[0].UnitPriceTtc));

        // The same instant in a site whose time zone is UTC is still lunch-time-ish (17:40 < 18:30).
        var utc = engine.Price(Request("crous-5/ru-9", Student, Menu()) with { At = new DateTimeOffset(2026, 11, 26, 17, 40, 0, TimeSpan.Zero), TimeZone = "UTC" });
        Assert.Equal(2001, utc.Lines[0].CodeArticle);
    }

    [Fact]
    public void Evening_tariff_uses_the_injected_clock_when_no_instant_is_given()
    {
        using var engine = scripts.Engine();
        Assert.Equal(2001, engine.Price(Request("crous-5/ru-9", Student, Menu())).Lines[0].CodeArticle);
        scripts.Time.Advance(TimeSpan.FromHours(6.75)); // 11:15 UTC → 18:00 UTC = 19:00 in Paris
        Assert.Equal(2002, engine.Price(Request("crous-5/ru-9", Student, Menu())).Lines[0].CodeArticle);
    }

    [Fact]
    public void Loyalty_points_per_euro_for_known_customers_and_their_sum()
    {
        using var engine = scripts.Engine();
        var known = Student with { CodeClient = "C-1" };
        var result = engine.Price(Request(null, known, Menu(), Item(1501)));
        Assert.Equal([3, 1], result.Lines.Select(l => l.LoyaltyPoints ?? 0));
        Assert.Equal(4, result.LoyaltyPoints);
        Assert.Equal(0, engine.Price(Request(null, Student, Menu(), Item(1501))).LoyaltyPoints);
        Assert.Equal(6, engine.Price(Request("crous-5/ru-9", known, Menu())).LoyaltyPoints);
    }

    [Fact]
    public void Local_price_list_wins_over_vem_prices()
    {
        using var engine = scripts.Engine();
        Assert.Equal(1.00m, engine.Price(Request(null, Student, Item(1501))).TotalTtc);
        Assert.Equal(0.80m, engine.Price(Request("crous-5/ru-9", Student, Item(1501))).TotalTtc);
    }

    [Fact]
    public void Mapping_builds_the_vem_ticket_with_spec_rounding_single_payment_and_loyalty_totals()
    {
        using var engine = scripts.Engine();
        var customer = Student with { CodeClient = "C-9", LoyaltyBalance = 40, OneEuroMealEligible = true };
        var priced = engine.Price(Request(null, customer, Menu(), Item(1501)));
        var ticket = engine.MapTicket(new Middleware.Scripting.Engine.MappingRequest
        {
            Sale = new SaleForMapping
            {
                IdTicketEntete = "140000011",
                NumeroTicket = "2611261",
                Date = new DateTimeOffset(2026, 11, 26, 12, 15, 0, TimeSpan.FromHours(1)),
                VersionLogiciel = "0.1.0",
                Lines = priced.Lines,
                Payment = new VemPayment { CodeReglement = CodeReglement.Izly, Montant = priced.TotalTtc, IdSupport = "36000000" },
                Customer = customer,
                BalanceAfter = 12.50m,
            },
        });

        Assert.Equal([1, 2, 3], ticket.ListeLignes.Select(l => l.NumeroLigne));
        var menu = ticket.ListeLignes[0];
        Assert.Equal((3.30m, 3.00m, 3.30m, 3.00m), (menu.PrixUnitaireTtc, menu.PrixUnitaireHt, menu.TotalTtc, menu.TotalHt));
        var juice = ticket.ListeLignes.Single(l => l.CodeArticle == 1501);
        Assert.Equal((3, 0.95m), (juice.CodeTva, juice.PrixUnitaireHt)); // 1.00 / 1.055 = 0.9478 → 0.95
        var subsidy = ticket.ListeLignes.Single(l => l.CodeArticle == 9001);
        Assert.Equal((-2.30m, -2.09m), (subsidy.PrixUnitaireTtc, subsidy.PrixUnitaireHt));
        Assert.Equal(ticket.ListeLignes.Sum(l => l.TotalTtc), Assert.Single(ticket.ListeReglements).Montant);
        Assert.Equal(ticket.ListeLignes.Sum(l => l.GainFidelite ?? 0), ticket.Complementaire!.CumulPointsFidelite);
        Assert.Equal(40 + 2, ticket.Complementaire.SoldePointsFidelite);
        Assert.Equal((10, 1, "C-9", 39), (ticket.Complementaire.CodeSocieteClient, ticket.Complementaire.TarifClient, ticket.Complementaire.CodeClient, ticket.Complementaire.IdLogiciel));
    }

    [Theory]
    [InlineData("", "tests/pricing.cases.json", 11)]
    [InlineData("sites/crous-5/ru-9", "sites/crous-5/ru-9/tests/pricing.cases.json", 7)]
    public void The_shipped_cases_files_pass(string target, string cases, int count)
    {
        var output = new StringWriter();
        var report = ScriptTestRunner.Run(Path.Combine(scripts.Root, target), Path.Combine(scripts.Root, cases), output, SharedCache);
        Assert.True(report.ExitCode == 0, output.ToString());
        Assert.Equal((count, 0), (report.Passed, report.Failed));
    }

    public void Dispose() => scripts.Dispose();
}
