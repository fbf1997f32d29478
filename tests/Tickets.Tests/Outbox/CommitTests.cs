using System.Text.Json;
using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;
using Xunit;

namespace Middleware.Tickets.Tests.Outbox;

public sealed class CommitTests
{
    [Fact]
    public async Task Same_requestId_returns_the_first_ticket_not_a_second_one()
    {
        await using var f = new TicketFixture();
        var first = await f.CommitAsync("req-1");
        var repeat = await f.CommitAsync("req-1", Sales.Meal() with { Lines = [new SaleLine { CodeArticle = 1300, UnitPriceTtc = 1.50m }] });
        Assert.False(first.AlreadyCommitted);
        Assert.True(repeat.AlreadyCommitted);
        Assert.Equal((first.IdTicketEntete, first.NumeroTicket, first.Date), (repeat.IdTicketEntete, repeat.NumeroTicket, repeat.Date));
        var all = await f.Service.ListAsync(TicketFixture.Pos1, null, 100, CancellationToken.None);
        Assert.Single(all);
        var stored = await f.Service.GetByRequestIdAsync(TicketFixture.Pos1, "req-1", CancellationToken.None);
        Assert.Equal(1201, stored!.Ticket!.ListeLignes[0].CodeArticle);
    }

    [Fact]
    public async Task Same_requestId_committed_concurrently_makes_one_ticket()
    {
        await using var f = new TicketFixture();
        var receipts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => f.CommitAsync("dup"))));
        Assert.Single(receipts.Select(r => r.IdTicketEntete).Distinct());
        Assert.Single(receipts, r => !r.AlreadyCommitted);
        Assert.Single(await f.Service.ListAsync(TicketFixture.Pos1, null, 100, CancellationToken.None));
    }

    [Fact]
    public async Task Same_requestId_at_two_points_of_sale_are_two_tickets()
    {
        await using var f = new TicketFixture();
        var a = await f.CommitAsync("same", pos: TicketFixture.Pos1);
        var b = await f.CommitAsync("same", pos: TicketFixture.Pos2);
        Assert.False(b.AlreadyCommitted);
        Assert.Equal(TicketFixture.Pos2.ToString(), b.PointOfSale);
        Assert.Equal("1", a.IdTicketEntete);
        Assert.Equal("1", b.IdTicketEntete);
    }

    [Fact]
    public async Task Missing_requestId_is_refused()
    {
        await using var f = new TicketFixture();
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync(" "));
        Assert.Equal(ErrorCode.RequestIdRequired, ex.Code);
    }

    [Fact]
    public async Task Payment_amount_mismatch_from_a_mapper_is_refused_before_storage()
    {
        await using var f = new TicketFixture();
        f.Mapper = new BrokenAmountMapper();
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("x"));
        Assert.Equal(ErrorCode.TicketInvalid, ex.Code);
        Assert.Contains(TicketRules.PaymentAmount, ex.Message);
        Assert.Empty(await f.Service.ListAsync(null, null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_throwing_mapper_refuses_that_sale_only_and_consumes_no_number()
    {
        await using var f = new TicketFixture();
        f.Mapper = new ThrowingMapper();
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("x"));
        Assert.Equal(ErrorCode.ScriptFaulted, ex.Code);
        Assert.Contains("boom", ex.Message);
        f.Mapper = DefaultTicketMapper.Instance;
        Assert.Equal("1", (await f.CommitAsync("y")).IdTicketEntete);
    }

    [Fact]
    public async Task A_mapper_cannot_change_the_numbering()
    {
        await using var f = new TicketFixture();
        f.Mapper = new RenumberingMapper();
        var r = await f.CommitAsync("x");
        var stored = await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal(("1", "2003181"), (stored!.Ticket!.IdTicketEntete, stored.Ticket.NumeroTicket));
        Assert.Equal("1", r.IdTicketEntete);
    }

    [Fact]
    public async Task Store_failure_answers_an_error_and_the_till_can_retry()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a");
        // Break the store under the writer (the table disappears), as a disk or schema failure would.
        using (var c = f.Db.Open(durable: true))
        {
            TicketDatabase.Execute(c, "ALTER TABLE tickets RENAME TO tickets_away");
        }

        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("b"));
        Assert.Equal(ErrorCode.InternalError, ex.Code);
        Assert.Contains("retry with the same requestId", ex.Message);
        using (var c = f.Db.Open(durable: true))
        {
            TicketDatabase.Execute(c, "ALTER TABLE tickets_away RENAME TO tickets");
        }

        var b = await f.CommitAsync("b");
        Assert.Equal(("2", "2003182"), (b.IdTicketEntete, b.NumeroTicket));
    }

    private sealed class BrokenAmountMapper : ITicketMapper
    {
        public VemTicket Map(TicketMappingContext context)
        {
            var t = VemTicketBuilder.Build(context);
            return t with { ListeReglements = [t.ListeReglements[0] with { Montant = 99m }] };
        }
    }

    private sealed class ThrowingMapper : ITicketMapper
    {
        public VemTicket Map(TicketMappingContext context) => throw new InvalidOperationException("boom");
    }

    private sealed class RenumberingMapper : ITicketMapper
    {
        public VemTicket Map(TicketMappingContext context) => VemTicketBuilder.Build(context) with { IdTicketEntete = "999", NumeroTicket = "1" };
    }
}

public sealed class BuilderTests
{
    [Fact]
    public async Task Builds_the_VEM_json_with_every_known_field()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r");
        var t = (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Ticket!;
        var json = JsonSerializer.SerializeToElement(t, VemJson.Options);
        Assert.Equal("1", json.GetProperty("idTicketEntete").GetString());
        Assert.Equal("2003181", json.GetProperty("numeroTicket").GetString());
        Assert.Equal("VT", json.GetProperty("codeEvenement").GetString());
        Assert.Equal("2020-03-18T10:00:00+01:00", json.GetProperty("date").GetString());
        Assert.Equal("1.4.0", json.GetProperty("versionLogiciel").GetString());

        var lines = json.GetProperty("listeLignes");
        Assert.Equal(3, lines.GetArrayLength());
        var meal = lines[0];
        Assert.Equal(1, meal.GetProperty("numeroLigne").GetInt32());
        Assert.Equal(1201, meal.GetProperty("codeArticle").GetInt32());
        Assert.Equal(1, meal.GetProperty("codeTva").GetInt32());
        Assert.Equal(3.00m, meal.GetProperty("prixUnitaireHt").GetDecimal());
        Assert.Equal(3.30m, meal.GetProperty("totalTtc").GetDecimal());
        Assert.Equal(2, meal.GetProperty("gainFidelite").GetInt32());
        var fee = lines[1];
        Assert.Equal((9100, 0.50m, 0.45m), (fee.GetProperty("codeArticle").GetInt32(), fee.GetProperty("prixUnitaireTtc").GetDecimal(), fee.GetProperty("prixUnitaireHt").GetDecimal()));
        var subsidy = lines[2];
        Assert.Equal((9001, 1, -1.00m, -0.91m), (subsidy.GetProperty("codeArticle").GetInt32(), subsidy.GetProperty("quantite").GetInt32(), subsidy.GetProperty("prixUnitaireTtc").GetDecimal(), subsidy.GetProperty("totalHt").GetDecimal()));

        var pay = Assert.Single(json.GetProperty("listeReglements").EnumerateArray());
        Assert.Equal(9, pay.GetProperty("codeReglement").GetInt32());
        Assert.Equal(2.80m, pay.GetProperty("montant").GetDecimal());
        Assert.Equal("36000000", pay.GetProperty("idSupport").GetString());
        Assert.Equal("88412", pay.GetProperty("idTransactionIzly").GetString());
        Assert.Equal("04A1B2C3D4E5F6", pay.GetProperty("numeroApplicatif").GetString());
        Assert.False(pay.TryGetProperty("qrCode", out _));

        var c = json.GetProperty("complementaire");
        Assert.Equal("c-42", c.GetProperty("codeClient").GetString());
        Assert.Equal(15.25m, c.GetProperty("soldeClient").GetDecimal());
        Assert.Equal(2, c.GetProperty("cumulPointsFidelite").GetInt32());
        Assert.Equal(12, c.GetProperty("soldePointsFidelite").GetInt32());
        Assert.Equal("Dupont", c.GetProperty("nomClient").GetString());
        Assert.Equal(10, c.GetProperty("codeSocieteClient").GetInt32());
        Assert.Equal(1, c.GetProperty("tarifClient").GetInt32());
        Assert.Equal(5, c.GetProperty("codeCrousClient").GetInt32());
        Assert.Equal("36000000", c.GetProperty("idSupport").GetString());
        Assert.Equal(1, c.GetProperty("idTypeDistribution").GetInt32());
        Assert.Equal(39, c.GetProperty("idLogiciel").GetInt32());
        Assert.False(c.TryGetProperty("adresseMail", out _)); // unknown fields are not sent
    }

    [Theory]
    [InlineData(CodeReglement.Cb)]
    [InlineData(CodeReglement.Izly)]
    public async Task Non_student_profile_takes_its_vat_code_whatever_the_payment(int codeReglement)
    {
        await using var f = new TicketFixture();
        var sale = new TicketSale
        {
            Lines = [new SaleLine { CodeArticle = 1201, Quantity = 2, UnitPriceTtc = 3.30m }],
            Payment = codeReglement == CodeReglement.Cb ? new SalePayment { CodeReglement = CodeReglement.Cb }
                : new SalePayment { CodeReglement = CodeReglement.Izly, IdTransactionIzly = "t-1", QrCode = "cXI=" },
            Customer = new SaleCustomer { CodeSociete = 8000, Tarif = 7 },
            Distribution = Distribution.TakeAway,
        };
        await f.CommitAsync("guest", sale);
        var t = (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Ticket!;
        var line = Assert.Single(t.ListeLignes);
        Assert.Equal((3, 2.75m, 5.50m, 6.60m), (line.CodeTva, line.PrixUnitaireHt, line.TotalHt, line.TotalTtc));
        Assert.Equal(2, t.Complementaire!.IdTypeDistribution);
        Assert.Null(t.Complementaire.CumulPointsFidelite);
    }

    [Fact]
    public async Task Student_profile_paying_by_cb_keeps_the_articles_vat_code()
    {
        await using var f = new TicketFixture();
        var sale = new TicketSale
        {
            Lines = [new SaleLine { CodeArticle = 1201, Quantity = 2, UnitPriceTtc = 3.30m }],
            Payment = new SalePayment { CodeReglement = CodeReglement.Cb },
            Customer = new SaleCustomer { CodeSociete = 10, Tarif = 7 },
        };
        await f.CommitAsync("cb", sale);
        var line = Assert.Single((await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Ticket!.ListeLignes);
        Assert.Equal((1, 3.00m), (line.CodeTva, line.PrixUnitaireHt));
    }

    [Fact]
    public async Task A_priced_vat_code_reaches_the_ticket_and_a_wrong_one_is_refused()
    {
        await using var f = new TicketFixture();
        var guest = new TicketSale
        {
            Lines = [new SaleLine { CodeArticle = 1201, UnitPriceTtc = 3.30m, CodeTva = 3 }],
            Payment = new SalePayment { CodeReglement = CodeReglement.Cb },
            Customer = new SaleCustomer { CodeSociete = 8000, Tarif = 7 },
        };
        await f.CommitAsync("priced", guest);
        Assert.Equal(3, Assert.Single((await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Ticket!.ListeLignes).CodeTva);
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("wrong", guest with { Lines = [guest.Lines[0] with { CodeTva = 1 }] }));
        Assert.Equal(ErrorCode.TicketInvalid, ex.Code);
        Assert.Contains(TicketRules.LineVatCode, ex.Message);
    }

    [Fact]
    public async Task IzlyPay_sale_is_valid_and_flagged_online()
    {
        await using var f = new TicketFixture();
        var sale = new TicketSale
        {
            Lines = [new SaleLine { CodeArticle = 1201, UnitPriceTtc = 3.30m }],
            Payment = new SalePayment { CodeReglement = CodeReglement.Izly, IdTransactionIzly = "op-77" },
            Customer = new SaleCustomer { CodeClient = "c-9" },
            OnlineOrder = true,
            Distribution = Distribution.TakeAway,
        };
        await f.CommitAsync("pay", sale);
        var rec = (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!;
        Assert.True(rec.OnlineOrder);
        Assert.Null(rec.Ticket!.ListeReglements[0].IdSupport);
        await f.DrainReadyAsync();
        Assert.True(Assert.Single(f.Uploader.Calls).Online);
    }
}
