using System.Globalization;
using System.Text.Json;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.TicketMapping;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;

namespace Middleware.Scripting.Testing;

/// <summary>
/// The mapping half of <c>mwctl script test</c>: each case's basket is priced by the site's pricing script, made a
/// sale with the case's payment and customer, and mapped to the VEM ticket as the host maps it (the site's own
/// <c>mapping.csx</c> through <see cref="ScriptTicketMapper"/>, else the built-in mapping; at the scripts root, the
/// root's template). The ticket is then checked with <see cref="VemTicketValidator"/>, the rules VEM (and the
/// sandbox) apply, and compared with the expected fields.
/// </summary>
internal static class MappingTestRunner
{
    // Any valid point of sale: the mapper keys its sites by point of sale; the numbers are placeholders.
    private const string TestPointOfSale = "1-1-1-1-1";

    public static ScriptTestReport Run(ScriptEngine engine, string site, MappingTestFile file, IPriceCatalog catalog, TextWriter output)
    {
        var reference = new PriceCatalogReference(catalog, file.IdLogiciel);
        var timeZone = file.TimeZone ?? "Europe/Paris";
        var mapper = new ScriptTicketMapper(engine, [new PointOfSaleOptions { Id = TestPointOfSale, ScriptSite = site.Length == 0 ? null : site, TimeZone = timeZone }]);
        output.WriteLine($"Mapping {(site.Length == 0 ? "the scripts root's mapping.csx (the template sites start from)" : mapper.MappedBy(PointOfSaleId.Parse(TestPointOfSale)))}");
        output.WriteLine();
        int passed = 0, failed = 0;
        foreach (var c in file.Cases)
        {
            var problems = RunCase(engine, mapper, site, timeZone, reference, c);
            if (problems.Count == 0)
            {
                passed++;
                output.WriteLine($"PASS  {c.Name}");
                continue;
            }

            failed++;
            output.WriteLine($"FAIL  {c.Name}");
            foreach (var p in problems)
            {
                output.WriteLine("      " + p);
            }
        }

        output.WriteLine();
        output.WriteLine(failed == 0
            ? $"{passed} case(s) passed."
            : $"{failed} of {passed + failed} case(s) FAILED. 'expected' is from the cases file, 'got' from the ticket the mapping made.");
        return new ScriptTestReport(passed, failed, failed == 0 ? ScriptTestRunner.ExitPassed : ScriptTestRunner.ExitFailed);
    }

    private static List<string> RunCase(ScriptEngine engine, ScriptTicketMapper mapper, string site, string timeZone, PriceCatalogReference reference, MappingTestCase c)
    {
        var problems = new List<string>();
        if (c.At == default)
        {
            throw new ArgumentException($"Case '{c.Name}' has no \"at\" (the time of the sale, e.g. 2026-11-26T12:15:00+01:00).");
        }

        var payment = c.Payment ?? throw new ArgumentException($"Case '{c.Name}' has no \"payment\" (e.g. {{ \"codeReglement\": 9, \"idSupport\": \"36000001\", \"idTransactionIzly\": \"tx-1\" }}).");
        VemTicket ticket;
        try
        {
            var priced = engine.Price(new PricingRequest
            {
                Site = site, TimeZone = timeZone, Basket = new Basket { Lines = c.Basket }, Customer = c.Customer, PaymentCode = payment.CodeReglement, At = c.At,
            });
            var context = new TicketMappingContext(PointOfSaleId.Parse(TestPointOfSale), Sale(c, priced, payment), Identity(c, timeZone, reference), reference);
            ticket = site.Length == 0 ? MapWithRootTemplate(engine, context, timeZone) : mapper.Map(context);
        }
        catch (MiddlewareException ex)
        {
            if (c.ExpectError is { } expected && ex.Message.Contains(expected, StringComparison.OrdinalIgnoreCase))
            {
                return problems;
            }

            problems.Add(c.ExpectError is null ? $"the scripts failed: {ex.Message}" : $"expected an error containing '{c.ExpectError}', got: {ex.Message}");
            return problems;
        }

        if (c.ExpectError is not null)
        {
            problems.Add($"expected an error containing '{c.ExpectError}', but the sale was mapped.");
            return problems;
        }

        var validation = VemTicketValidator.Validate(ticket, reference);
        if (c.ExpectInvalid is { } rule)
        {
            if (!validation.Violations.Any(v => v.Rule == rule))
            {
                problems.Add($"expected VEM to refuse the ticket for {rule}, but it {(validation.IsValid ? "is valid" : "breaks only: " + validation.Describe())}.");
            }
        }
        else
        {
            problems.AddRange(validation.Violations.Select(v => $"VEM would refuse the ticket: {v}"));
        }

        if (c.Expect is { } expect)
        {
            JsonPartialMatch.Compare(expect, JsonSerializer.SerializeToElement(ticket), "", problems);
        }

        return problems;
    }

    private static TicketSale Sale(MappingTestCase c, PricingResult priced, SalePayment payment)
    {
        // The sale always has a profile (a new sale is the anonymous guest's): the ticket carries it, and VEM checks
        // the lines' VAT codes against it (a guest's own code, crous-izly-api.md §4).
        var customer = c.Customer;
        return new TicketSale
        {
            Lines = priced.Lines.ToSaleLines(),
            Payment = payment,
            Customer = new SaleCustomer
            {
                CodeClient = customer.CodeClient, Name = customer.Name, ValidUntil = customer.ValidUntil, CodeSociete = customer.CodeSociete,
                Tarif = customer.CodeTarif, BalanceAfter = c.BalanceAfter, IdSupport = payment.IdSupport,
            },
            // As the host's sale builds it (core/Payments/Sales/SaleTicketBuilder.cs).
            LoyaltyPointsEarned = priced.LoyaltyPoints > 0 ? priced.LoyaltyPoints : null,
            LoyaltyBalance = priced.LoyaltyPoints > 0 ? customer.LoyaltyBalance + priced.LoyaltyPoints : null,
            Distribution = c.Distribution == 2 ? Distribution.TakeAway : Distribution.OnSite,
        };
    }

    private static TicketIdentity Identity(MappingTestCase c, string timeZone, PriceCatalogReference reference)
    {
        var local = TimeZoneInfo.ConvertTime(c.At, TimeZoneInfo.FindSystemTimeZoneById(timeZone));
        return new TicketIdentity(1, local.ToString("yyMMdd", CultureInfo.InvariantCulture) + "1", local, "script-test", reference.IdLogiciel);
    }

    /// <summary>The root's mapping.csx never maps a sale in the host (a site without its own gets the built-in
    /// mapping); tested at the root, it runs as a site's copy of it would.</summary>
    private static VemTicket MapWithRootTemplate(ScriptEngine engine, TicketMappingContext context, string timeZone)
    {
        var builtIn = DefaultTicketMapper.Instance.Map(context);
        return engine.MapTicket(new MappingRequest
        {
            TimeZone = timeZone, Sale = SaleForMappingFactory.From(context, builtIn), At = context.Identity.Date, DefaultTicket = builtIn,
        });
    }
}
