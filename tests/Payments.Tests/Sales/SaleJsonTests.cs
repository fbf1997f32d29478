using System.Text.Json;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;
using Middleware.Payments.Customers;
using Middleware.Payments.Sales;
using Middleware.Scripting.Globals;
using Middleware.Tickets;

namespace Middleware.Payments.Tests.Sales;

/// <summary>The build-time JSON of a sale writes what reflection with web defaults writes (the stored form since the
/// first version), and reads it back whole: a store can switch to it without migrating a row.</summary>
public sealed class SaleJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset At = new(2026, 3, 18, 11, 30, 0, TimeSpan.FromHours(1));

    public static TheoryData<string> Sales => ["open", "card", "qr", "refunded"];

    [Theory]
    [MemberData(nameof(Sales))]
    public void The_generated_json_is_the_reflection_json_and_reads_back_equal(string kind)
    {
        var sale = SaleOf(kind);

        var generated = SaleJson.Serialize(sale);

        Assert.Equal(JsonSerializer.Serialize(sale, Reflection), generated);
        Assert.Equal(generated, System.Text.Encoding.UTF8.GetString(SaleJson.SerializeToUtf8Bytes(sale)));
        // Records compare their lists by reference: compare what is stored instead, and the parts that matter.
        var read = SaleJson.Deserialize(generated);
        Assert.Equal(generated, SaleJson.Serialize(read));
        Assert.Equal(generated, SaleJson.Serialize(SaleJson.Deserialize(SaleJson.SerializeToUtf8Bytes(sale))));
        Assert.Equal(generated, JsonSerializer.Serialize(JsonSerializer.Deserialize<Sale>(generated, Reflection), Reflection));
        Assert.Equal((sale.State, sale.Version, sale.Pricing?.TotalTtc, sale.Identification?.Customer), (read.State, read.Version, read.Pricing?.TotalTtc, read.Identification?.Customer));
        Assert.Equal(sale.Identification?.Card, read.Identification?.Card);
        Assert.Equal(sale.Ticket, read.Ticket);
    }

    [Fact]
    public void A_stored_null_is_refused_clearly()
    {
        Assert.Throws<InvalidDataException>(() => SaleJson.Deserialize("null"));
        Assert.Throws<InvalidDataException>(() => SaleJson.Deserialize("null"u8));
    }

    [Fact]
    public void Rows_written_by_reflection_read_the_same()
    {
        var sale = SaleOf("card");
        var stored = JsonSerializer.Serialize(sale, Reflection);
        // Web defaults read case-insensitively and numbers from strings: a row edited by hand still reads.
        var edited = stored.Replace("\"version\":7", "\"Version\":\"7\"", StringComparison.Ordinal);
        Assert.NotEqual(stored, edited);

        Assert.Equal(stored, SaleJson.Serialize(SaleJson.Deserialize(edited)));
    }

    private static Sale SaleOf(string kind)
    {
        var open = new Sale
        {
            Id = "0f8fad5bd9cb469fa16570867728950e",
            PointOfSale = "5-1-9-8-14",
            OpenRequestId = "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            State = SaleState.Open,
            Basket = Basket.Of(new BasketLine { CodeArticle = 1201, Quantity = 2, Label = "Repas", Components = [new BasketLine { CodeArticle = 3001 }] }),
            Distribution = 2,
            CreatedAt = At,
            UpdatedAt = At.AddSeconds(3),
            Version = 7,
        };
        if (kind == "open")
        {
            return open with { AnonymousProfile = new CustomerProfile { CodeSociete = 8000, CodeTarif = 2 } };
        }

        var holder = new RightHolder("1000015", "Émile", "Zoé \"Z\"", 12.5m, 10, 2, At.AddYears(1), "ACTIVE", "NONE", 5, "0691774D", "e@example.org", 40);
        var identification = new SaleIdentification
        {
            Channel = kind == "card" ? "card" : "qr",
            Holder = holder,
            Card = kind == "qr" ? null : new CardIdentity("36000000123456", "04A1B2C3D4E5F6", CardTechnology.Desfire, "Virtual PCD 00 00", "SAM-1", true, 5, new DateOnly(2024, 9, 1)),
            QrText = kind == "qr" ? "AIZ;1000015;2026-03-18T11:30:00Z;abc==" : null,
            Customer = new CustomerView("1000015", "Émile Zoé", 10, 2, 12.5m, At.AddYears(1), 40, "card"),
            Profile = new CustomerProfile { CodeSociete = 10, CodeTarif = 2, CodeClient = "1000015", Name = "Émile", ValidUntil = At.AddYears(1), Scholarship = true, OneEuroMealEligible = true, LoyaltyBalance = 40 },
        };
        var pricing = new PricingResult
        {
            Lines =
            [
                new PricedLine { CodeArticle = 1201, Label = "Repas complet", Quantity = 2, UnitPriceTtc = 3.30m, CodeTva = 1, VatRate = 5.5m, LoyaltyPoints = 2 },
                new PricedLine { CodeArticle = 9101, Label = "Subvention", Quantity = 1, UnitPriceTtc = -2.30m, CodeTva = 1, Kind = LineKind.Subsidy },
            ],
            Notes = ["€1 meal"],
            ScriptVersion = "e02046160765",
        };
        var committed = open with
        {
            State = SaleState.Committed,
            Identification = identification,
            Pricing = pricing,
            PaymentMethod = "izly",
            PaymentRequestId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            Ticket = new TicketReceipt("5-1-9-8-14", "42", "T000042", At.AddSeconds(9), false),
        };
        return kind != "refunded"
            ? committed
            : committed with
            {
                State = SaleState.Refunded,
                PaymentMethod = "cb",
                Terminal = "Tetra 1",
                RefundTicket = new TicketReceipt("5-1-9-8-14", "43", "T000043", At.AddMinutes(2), true),
                RefundDeclaredBy = "uid 1001 (caisse) via till on 5-1-9-8-14 (c1)",
                LastError = "VEM refused (1500)",
                LastErrorCode = 1500,
            };
    }
}
