using Xunit;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;

namespace Middleware.Domain.Tests.Tickets;

public sealed class VemTicketValidatorTests
{
    // codeTva 1 = 10 %, 2 = 5.5 %, 3 = 20 %. Articles: 1201 (meal, tva 1), 1300 (drink, tva 3), 9001 (subsidy, tva 1), 9100 (entry fee, tva 1).
    private sealed class Catalog : IReferenceCatalog
    {
        private readonly Dictionary<int, int> articles = new() { [1201] = 1, [1300] = 3, [9001] = 1, [9100] = 1 };
        private readonly Dictionary<int, decimal> rates = new() { [1] = 10m, [2] = 5.5m, [3] = 20m };

        public bool ArticleExists(int codeArticle) => articles.ContainsKey(codeArticle);
        public int? ArticleVatCode(int codeArticle) => articles.TryGetValue(codeArticle, out var v) ? v : null;
        public decimal? VatRate(int codeTva) => rates.TryGetValue(codeTva, out var r) ? r : null;
        // (10,7): a student profile with a VAT code of its own, which lines never take; (8000,1): guests, 20 %.
        public int? ProfileVatCode(int codeSociete, int codeTarif) => (codeSociete, codeTarif) is (10, 7) or (8000, 1) ? 3 : null;
    }

    private static readonly Catalog Ref = new();

    private static VemTicketLine Line(int n, int article, int qty, decimal ttc, decimal ht, int tva, int? gain = null) => new()
    {
        NumeroLigne = n,
        CodeArticle = article,
        Quantite = qty,
        CodeTva = tva,
        PrixUnitaireTtc = ttc,
        PrixUnitaireHt = ht,
        TotalTtc = ttc * qty,
        TotalHt = ht * qty,
        GainFidelite = gain,
    };

    /// <summary>A coherent Izly card ticket: meal 3.30 (HT 3.00), two drinks 1.50 (HT 1.25), entry fee, €1 subsidy.</summary>
    private static VemTicket Valid() => new()
    {
        IdTicketEntete = "140000011",
        NumeroTicket = "210402149",
        Date = new DateTimeOffset(2021, 4, 2, 10, 55, 39, TimeSpan.Zero),
        VersionLogiciel = "1.4.0",
        ListeLignes =
        [
            Line(1, 1201, 1, 3.30m, 3.00m, 1, gain: 2),
            Line(2, 1300, 2, 1.50m, 1.25m, 3, gain: 1),
            Line(3, 9100, 1, 0.50m, 0.45m, 1),
            Line(4, 9001, 1, -1.00m, -0.91m, 1),
        ],
        ListeReglements = [new VemPayment { CodeReglement = 9, Montant = 5.80m, IdSupport = "36000000", IdTransactionIzly = "88412", NumeroApplicatif = "04A1B2C3D4E5F6" }],
        Complementaire = new VemComplement { CodeClient = "c-1", SoldeClient = 15.25m, CumulPointsFidelite = 3, IdSupport = "36000000", IdTypeDistribution = 1, IdLogiciel = 39 },
    };

    private static TicketViolation Single(VemTicket ticket)
    {
        var result = VemTicketValidator.Validate(ticket, Ref);
        Assert.False(result.IsValid);
        return Assert.Single(result.Violations);
    }

    private static VemTicket WithLine(VemTicket t, int index, Func<VemTicketLine, VemTicketLine> change)
    {
        var lines = t.ListeLignes.ToList();
        lines[index] = change(lines[index]);
        return t with { ListeLignes = lines };
    }

    private static VemTicket WithPayment(VemTicket t, Func<VemPayment, VemPayment> change) => t with { ListeReglements = [change(t.ListeReglements[0])] };

    [Fact]
    public void Coherent_ticket_with_entry_fee_subsidy_and_loyalty_is_valid()
    {
        var result = VemTicketValidator.Validate(Valid(), Ref);
        Assert.True(result.IsValid, result.Describe());
        Assert.Equal("valid", result.Describe());
    }

    [Fact]
    public void Public_example_of_the_spec_is_valid()
    {
        var t = Valid() with
        {
            ListeLignes = [Line(1, 1201, 1, 3.30m, 3.00m, 1)],
            ListeReglements = [new VemPayment { CodeReglement = 9, Montant = 3.30m, IdSupport = "36000000", IdTransactionIzly = "88412", NumeroApplicatif = "04A1B2C3D4E5F6" }],
            Complementaire = new VemComplement { CodeClient = "x", SoldeClient = 15.25m, CodeSocieteClient = 10, TarifClient = 1, IdSupport = "36000000", IdTypeDistribution = 1, IdLogiciel = 39 },
        };
        Assert.True(VemTicketValidator.Validate(t, Ref).IsValid);
    }

    [Theory]
    [InlineData("", TicketRules.HeaderIdTicketEntete)]
    [InlineData(" ", TicketRules.HeaderIdTicketEntete)]
    public void Missing_idTicketEntete_is_refused(string id, string rule)
    {
        var v = Single(Valid() with { IdTicketEntete = id });
        Assert.Equal(rule, v.Rule);
        Assert.Null(v.Line);
    }

    [Fact]
    public void Missing_numeroTicket_is_refused() => Assert.Equal(TicketRules.HeaderNumeroTicket, Single(Valid() with { NumeroTicket = "" }).Rule);

    [Fact]
    public void CodeEvenement_other_than_VT_is_refused()
    {
        var v = Single(Valid() with { CodeEvenement = "AN" });
        Assert.Equal(TicketRules.HeaderCodeEvenement, v.Rule);
        Assert.Contains("\"AN\"", v.Message);
    }

    [Fact]
    public void Missing_date_is_refused() => Assert.Equal(TicketRules.HeaderDate, Single(Valid() with { Date = default }).Rule);

    [Fact]
    public void Missing_versionLogiciel_is_refused() => Assert.Equal(TicketRules.HeaderVersionLogiciel, Single(Valid() with { VersionLogiciel = "" }).Rule);

    [Fact]
    public void Ticket_without_lines_is_refused()
    {
        var result = VemTicketValidator.Validate(Valid() with { ListeLignes = [], ListeReglements = [Valid().ListeReglements[0] with { Montant = 0m }], Complementaire = null }, Ref);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.LinesRequired && v.Line is null);
    }

    [Fact]
    public void Null_lists_from_a_malformed_json_are_violations_not_crashes()
    {
        var json = """{"idTicketEntete":"1","numeroTicket":"2","date":"2021-04-02T10:55:39Z","versionLogiciel":"1","listeLignes":null,"listeReglements":null}""";
        var t = System.Text.Json.JsonSerializer.Deserialize<VemTicket>(json, VemJson.Options)!;
        var result = VemTicketValidator.Validate(t, Ref);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.LinesRequired);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.PaymentCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Line_numbers_start_from_1(int n)
    {
        var v = Single(WithLine(Valid(), 2, l => l with { NumeroLigne = n }));
        Assert.Equal(TicketRules.LineNumber, v.Rule);
        Assert.Equal(n, v.Line);
    }

    [Fact]
    public void Line_numbers_are_unique()
    {
        var v = Single(WithLine(Valid(), 3, l => l with { NumeroLigne = 2 }));
        Assert.Equal(TicketRules.LineNumberUnique, v.Rule);
        Assert.Equal(2, v.Line);
    }

    [Fact]
    public void Unknown_article_is_refused_naming_the_line()
    {
        var v = Single(WithLine(Valid(), 1, l => l with { CodeArticle = 4242 }));
        Assert.Equal(TicketRules.LineArticle, v.Rule);
        Assert.Equal(2, v.Line);
        Assert.Contains("4242", v.Message);
    }

    [Fact]
    public void Quantity_below_one_is_refused()
    {
        var t = WithLine(Valid(), 1, l => l with { Quantite = 0, TotalTtc = 0, TotalHt = 0 });
        t = WithPayment(t, p => p with { Montant = 2.80m });
        var v = Single(t);
        Assert.Equal(TicketRules.LineQuantity, v.Rule);
        Assert.Equal(2, v.Line);
    }

    [Fact]
    public void Line_vat_code_must_be_the_articles()
    {
        // 1300 is a tva-3 article; declaring tva 2 (5.5 %) with a matching HT still breaks the article rule.
        var v = Single(WithLine(Valid(), 1, l => l with { CodeTva = 2, PrixUnitaireHt = 1.42m, TotalHt = 2.84m }));
        Assert.Equal(TicketRules.LineVatCode, v.Rule);
        Assert.Equal(2, v.Line);
        Assert.Contains("article", v.Message);
    }

    private static VemTicket CbWithProfile(int societe, int tarif, int lineTva, decimal ht) => new()
    {
        IdTicketEntete = "1",
        NumeroTicket = "2003181",
        Date = DateTimeOffset.UnixEpoch.AddYears(50),
        VersionLogiciel = "1",
        ListeLignes = [Line(1, 1201, 2, 3.30m, ht, lineTva)],
        ListeReglements = [new VemPayment { CodeReglement = 4, Montant = 6.60m }],
        Complementaire = new VemComplement { CodeSocieteClient = societe, TarifClient = tarif, IdLogiciel = 39 },
    };

    [Fact]
    public void Non_student_profile_with_a_vat_code_gives_it_to_every_line_paid_by_cb()
    {
        // Guests (8000,1) have tva 3 (20 %): 3.30 / 1.2 = 2.75.
        Assert.True(VemTicketValidator.Validate(CbWithProfile(8000, 1, 3, 2.75m), Ref).IsValid);
        var v = Single(CbWithProfile(8000, 1, 1, 3.00m));
        Assert.Equal(TicketRules.LineVatCode, v.Rule);
        Assert.Equal(1, v.Line);
        Assert.Contains("societe/tarif", v.Message);
    }

    [Fact]
    public void Non_student_profile_vat_code_applies_to_izly_payments_too()
    {
        // The "non étudiants" reading (crous-izly-api.md §4): a guest paying by Izly is taxed as a guest paying by CB.
        var guest = Valid() with
        {
            ListeLignes = [Line(1, 1201, 1, 3.30m, 2.75m, 3)],
            ListeReglements = [Valid().ListeReglements[0] with { Montant = 3.30m }],
            Complementaire = Valid().Complementaire! with { CodeSocieteClient = 8000, TarifClient = 1, CumulPointsFidelite = null },
        };
        Assert.True(VemTicketValidator.Validate(guest, Ref).IsValid, VemTicketValidator.Validate(guest, Ref).Describe());
        var articleVat = WithLine(guest, 0, l => l with { CodeTva = 1, PrixUnitaireHt = 3.00m, TotalHt = 3.00m });
        Assert.Equal(TicketRules.LineVatCode, Single(articleVat).Rule);
    }

    [Fact]
    public void Student_profile_keeps_the_articles_vat_code_even_paid_by_cb()
    {
        Assert.True(VemTicketValidator.Validate(CbWithProfile(10, 7, 1, 3.00m), Ref).IsValid);
        var v = Single(CbWithProfile(10, 7, 3, 2.75m));
        Assert.Equal(TicketRules.LineVatCode, v.Rule);
        Assert.Contains("article", v.Message);
        Assert.True(VemTicketValidator.Validate(CbWithProfile(10, 1, 1, 3.00m), Ref).IsValid);
    }

    [Fact]
    public void Profile_vat_code_of_a_student_does_not_apply_to_izly_payments()
    {
        var t = Valid() with { Complementaire = Valid().Complementaire! with { CodeSocieteClient = 10, TarifClient = 7 } };
        Assert.True(VemTicketValidator.Validate(t, Ref).IsValid);
    }

    [Fact]
    public void Line_vat_rule_is_the_profiles_for_non_students_only()
    {
        Assert.Equal(3, LineVat.CodeFor(1201, 8000, 1, Ref));
        Assert.Equal(1, LineVat.CodeFor(1201, 10, 7, Ref));
        Assert.Equal(1, LineVat.CodeFor(1201, 8024, 1, Ref)); // students of the online-ordering app
        Assert.Equal(1, LineVat.CodeFor(1201, null, null, Ref));
        Assert.Null(LineVat.CodeFor(4242, 8000, 1, Ref));
        Assert.Equal(2, LineVat.CodeFor(articleVat: 2, codeSociete: 8024, codeTarif: 2, profileVat: null));
    }

    [Fact]
    public void Ticket_without_idLogiciel_is_refused()
    {
        var v = Single(Valid() with { Complementaire = Valid().Complementaire! with { IdLogiciel = null } });
        Assert.Equal(TicketRules.ComplementIdLogiciel, v.Rule);
        Assert.Null(v.Line);
    }

    /// <summary>The refund of <see cref="Valid"/> without its loyalty: every line negated, the montant negative, linked.</summary>
    private static VemTicket Refund() => Valid() with
    {
        IdTicketEntete = "140000012",
        NumeroTicket = "210402150",
        CodeEvenement = CodeEvenements.Refund,
        ListeLignes = [.. Valid().ListeLignes.Select(l => l with { Quantite = -l.Quantite, TotalTtc = -l.TotalTtc, TotalHt = -l.TotalHt, GainFidelite = null })],
        ListeReglements = [Valid().ListeReglements[0] with { Montant = -5.80m }],
        Complementaire = Valid().Complementaire! with { CumulPointsFidelite = null, SoldeClient = null, IdTicketEnteteOrigine = "140000011", NumeroTicketOrigine = "210402149" },
    };

    [Fact]
    public void Refund_with_negative_lines_montant_and_link_is_valid()
    {
        var result = VemTicketValidator.Validate(Refund(), Ref);
        Assert.True(result.IsValid, result.Describe());
        // The subsidy line (negative unit price) gives its money back the other way: a positive total.
        Assert.Equal(1.00m, Refund().ListeLignes[3].TotalTtc);
    }

    [Fact]
    public void Refund_with_a_positive_quantity_is_refused()
    {
        // The entry fee given back as a sale: the montant stays negative, only the line is wrong.
        var v = Single(WithLine(Refund(), 2, l => l with { Quantite = 1, TotalTtc = 0.50m, TotalHt = 0.45m }) is var t
            ? t with { ListeReglements = [t.ListeReglements[0] with { Montant = t.ListeLignes.Sum(l => l.TotalTtc) }] }
            : t);
        Assert.Equal(TicketRules.LineQuantity, v.Rule);
        Assert.Equal(3, v.Line);
    }

    [Fact]
    public void Refund_whose_montant_is_not_the_lines_total_is_refused()
    {
        var v = Single(WithPayment(Refund(), p => p with { Montant = -5.00m }));
        Assert.Equal(TicketRules.PaymentAmount, v.Rule);
    }

    [Fact]
    public void Refund_with_a_positive_montant_is_refused()
    {
        // Lines totals and montant both positive: quantities are checked line by line, the sign of the whole apart.
        var t = Refund() with
        {
            ListeLignes = [Line(1, 9001, -1, -1.00m, -0.91m, 1)],
            ListeReglements = [Refund().ListeReglements[0] with { Montant = 1.00m }],
        };
        Assert.Equal(TicketRules.RefundAmount, Single(t).Rule);
    }

    [Theory]
    [InlineData(null, "210402149")]
    [InlineData("140000011", null)]
    [InlineData(" ", " ")]
    public void Refund_without_its_origin_is_refused(string? id, string? numero)
    {
        var v = Single(Refund() with { Complementaire = Refund().Complementaire! with { IdTicketEnteteOrigine = id, NumeroTicketOrigine = numero } });
        Assert.Equal(TicketRules.RefundOrigin, v.Rule);
    }

    [Fact]
    public void Sale_ticket_keeps_positive_quantities_and_unknown_event_codes_are_refused()
    {
        Assert.Equal(TicketRules.LineQuantity, Single(WithLine(Valid(), 3, l => l with { Quantite = -1, TotalTtc = 1.00m, TotalHt = 0.91m }) is var t
            ? t with { ListeReglements = [t.ListeReglements[0] with { Montant = t.ListeLignes.Sum(l => l.TotalTtc) }] }
            : t).Rule);
        Assert.Equal(TicketRules.HeaderCodeEvenement, Single(Valid() with { CodeEvenement = "AN" }).Rule);
    }

    [Fact]
    public void Unknown_vat_code_is_refused()
    {
        var result = VemTicketValidator.Validate(WithLine(Valid(), 0, l => l with { CodeTva = 99 }), Ref);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.LineVatRateUnknown && v.Line == 1);
    }

    [Theory]
    // 3.30 / 1.1 = 3.00 exactly: 3.01 and 2.99 are wrong.
    [InlineData(3.01)]
    [InlineData(2.99)]
    public void Unit_price_ht_must_be_rounded_from_ttc(double wrongHt)
    {
        var ht = (decimal)wrongHt;
        var v = Single(WithLine(Valid(), 0, l => l with { PrixUnitaireHt = ht, TotalHt = ht }));
        Assert.Equal(TicketRules.LineUnitPriceHt, v.Rule);
        Assert.Equal(1, v.Line);
        Assert.Contains("3.00", v.Message);
    }

    [Fact]
    public void Ht_rounding_is_half_away_from_zero_not_bankers()
    {
        // The -1.00 subsidy at 10 %: -0.90909... rounds to -0.91 (away from zero), not -0.90 (truncation).
        var ok = WithLine(Valid(), 3, l => l with { PrixUnitaireHt = -0.91m, TotalHt = -0.91m });
        Assert.True(VemTicketValidator.Validate(ok, Ref).IsValid);
        var truncated = WithLine(Valid(), 3, l => l with { PrixUnitaireHt = -0.90m, TotalHt = -0.90m });
        Assert.Equal(TicketRules.LineUnitPriceHt, Single(truncated).Rule);
    }

    [Fact]
    public void Exact_midpoint_rounds_away_from_zero()
    {
        // 20 % VAT: TTC 0.03 -> 0.025 HT exactly: the spec's rounding gives 0.03 (banker's would give 0.02).
        var t = Valid() with
        {
            ListeLignes = [Line(1, 1300, 1, 0.03m, 0.03m, 3)],
            ListeReglements = [Valid().ListeReglements[0] with { Montant = 0.03m }],
            Complementaire = Valid().Complementaire! with { CumulPointsFidelite = null },
        };
        Assert.True(VemTicketValidator.Validate(t, Ref).IsValid);
        var bankers = WithLine(t, 0, l => l with { PrixUnitaireHt = 0.02m, TotalHt = 0.02m });
        Assert.Equal(TicketRules.LineUnitPriceHt, Single(bankers).Rule);
    }

    [Fact]
    public void Prices_with_more_than_two_decimals_are_refused()
    {
        var result = VemTicketValidator.Validate(WithLine(Valid(), 1, l => l with { PrixUnitaireHt = 1.251m, TotalHt = 2.502m }), Ref);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.LinePricePrecision && v.Line == 2);
    }

    [Fact]
    public void Line_total_ttc_is_unit_price_times_quantity()
    {
        var t = WithLine(Valid(), 1, l => l with { TotalTtc = 1.50m });
        t = WithPayment(t, p => p with { Montant = 4.30m });
        var v = Single(t);
        Assert.Equal(TicketRules.LineTotalTtc, v.Rule);
        Assert.Equal(2, v.Line);
        Assert.Contains("3.00", v.Message);
    }

    [Fact]
    public void Line_total_ht_is_unit_ht_times_quantity_without_rerounding()
    {
        // Article 1300 at 20 %: 1.45 TTC -> 1.21 HT; 7 units: 7 × 1.21 = 8.47, whereas round(10.15 / 1.2) = 8.46.
        var t = WithLine(Valid(), 1, _ => Line(2, 1300, 7, 1.45m, 1.21m, 3, gain: 1));
        t = WithPayment(t, p => p with { Montant = 3.30m + 10.15m + 0.50m - 1.00m });
        Assert.True(VemTicketValidator.Validate(t, Ref).IsValid, VemTicketValidator.Validate(t, Ref).Describe());
        var rerounded = WithLine(t, 1, l => l with { TotalHt = 8.46m });
        var v = Single(rerounded);
        Assert.Equal(TicketRules.LineTotalHt, v.Rule);
        Assert.Equal(2, v.Line);
    }

    [Fact]
    public void Negative_loyalty_gain_is_refused()
    {
        var t = WithLine(Valid(), 0, l => l with { GainFidelite = -1 });
        t = t with { Complementaire = t.Complementaire! with { CumulPointsFidelite = 0 } };
        var v = Single(t);
        Assert.Equal(TicketRules.LineLoyaltyGain, v.Rule);
        Assert.Equal(1, v.Line);
    }

    [Fact]
    public void Exactly_one_payment()
    {
        var p = Valid().ListeReglements[0];
        Assert.Equal(TicketRules.PaymentCount, Single(Valid() with { ListeReglements = [p, p with { Montant = 0 }] }).Rule);
        Assert.Equal(TicketRules.PaymentCount, Single(Valid() with { ListeReglements = [] }).Rule);
    }

    [Fact]
    public void Payment_amount_equals_the_lines_total()
    {
        var v = Single(WithPayment(Valid(), p => p with { Montant = 6.80m }));
        Assert.Equal(TicketRules.PaymentAmount, v.Rule);
        Assert.Contains("5.80", v.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12345)]
    public void Unknown_payment_code_is_refused(int code)
    {
        var v = Single(WithPayment(Valid(), _ => new VemPayment { CodeReglement = code, Montant = 5.80m }));
        Assert.Equal(TicketRules.PaymentCode, v.Rule);
    }

    [Fact]
    public void Loyalty_payment_is_valid_and_rejects_izly_fields()
    {
        Assert.True(VemTicketValidator.Validate(WithPayment(Valid(), _ => new VemPayment { CodeReglement = 12, Montant = 5.80m }), Ref).IsValid);
        var v = Single(WithPayment(Valid(), _ => new VemPayment { CodeReglement = 4, Montant = 5.80m, IdTransactionIzly = "1" }));
        Assert.Equal(TicketRules.PaymentIzlyFieldsOnOtherCode, v.Rule);
    }

    [Fact]
    public void Izly_payment_needs_idTransactionIzly()
        => Assert.Equal(TicketRules.PaymentIzlyTransaction, Single(WithPayment(Valid(), p => p with { IdTransactionIzly = null })).Rule);

    [Fact]
    public void Izly_payment_by_qr_code_is_valid_and_needs_no_numeroApplicatif()
    {
        var t = WithPayment(Valid(), p => p with { IdSupport = null, NumeroApplicatif = null, QrCode = "AAEC...qr" });
        Assert.True(VemTicketValidator.Validate(t, Ref).IsValid);
    }

    [Fact]
    public void Izly_payment_cannot_carry_both_card_and_qr()
    {
        var v = Single(WithPayment(Valid(), p => p with { QrCode = "qr" }));
        Assert.Equal(TicketRules.PaymentIzlyMeans, v.Rule);
    }

    [Fact]
    public void IzlyPay_needs_codeClient_when_neither_card_nor_qr()
    {
        var izlyPay = WithPayment(Valid(), p => p with { IdSupport = null, NumeroApplicatif = null });
        Assert.True(VemTicketValidator.Validate(izlyPay, Ref).IsValid);
        var anonymous = izlyPay with { Complementaire = izlyPay.Complementaire! with { CodeClient = null } };
        var v = Single(anonymous);
        Assert.Equal(TicketRules.PaymentIzlyMeans, v.Rule);
        Assert.Contains("codeClient", v.Message);
    }

    [Fact]
    public void NumeroApplicatif_is_mandatory_with_idSupport()
        => Assert.Equal(TicketRules.PaymentNumeroApplicatif, Single(WithPayment(Valid(), p => p with { NumeroApplicatif = " " })).Rule);

    [Fact]
    public void Card_payment_without_codeClient_needs_complementaire_idSupport()
    {
        var t = Valid() with { Complementaire = Valid().Complementaire! with { CodeClient = null } };
        Assert.True(VemTicketValidator.Validate(t, Ref).IsValid);
        Assert.Equal(TicketRules.ClientIdSupport, Single(t with { Complementaire = t.Complementaire! with { IdSupport = null } }).Rule);
    }

    [Fact]
    public void Loyalty_gains_total_equals_cumulPointsFidelite()
    {
        var v = Single(Valid() with { Complementaire = Valid().Complementaire! with { CumulPointsFidelite = 4 } });
        Assert.Equal(TicketRules.LoyaltyTotal, v.Rule);
        Assert.Contains("3", v.Message);
        Assert.Equal(TicketRules.LoyaltyTotal, Single(Valid() with { Complementaire = Valid().Complementaire! with { CumulPointsFidelite = null } }).Rule);
    }

    [Fact]
    public void No_gains_and_no_cumul_is_valid_and_cumul_without_gains_is_refused()
    {
        var t = Valid() with { ListeLignes = Valid().ListeLignes.Select(l => l with { GainFidelite = null }).ToList(), Complementaire = Valid().Complementaire! with { CumulPointsFidelite = null } };
        Assert.True(VemTicketValidator.Validate(t, Ref).IsValid);
        Assert.Equal(TicketRules.LoyaltyTotal, Single(t with { Complementaire = t.Complementaire! with { CumulPointsFidelite = 5 } }).Rule);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    [InlineData(4)]
    public void Distribution_type_other_than_1_or_2_is_never_sent(int type)
    {
        var v = Single(Valid() with { Complementaire = Valid().Complementaire! with { IdTypeDistribution = type } });
        Assert.Equal(TicketRules.DistributionType, v.Rule);
    }

    [Fact]
    public void Take_away_is_valid() => Assert.True(VemTicketValidator.Validate(Valid() with { Complementaire = Valid().Complementaire! with { IdTypeDistribution = 2 } }, Ref).IsValid);

    [Fact]
    public void Several_violations_are_all_reported_with_their_lines()
    {
        var t = WithLine(WithLine(Valid(), 0, l => l with { CodeArticle = 1 }), 2, l => l with { TotalTtc = 9m });
        var result = VemTicketValidator.Validate(t, Ref);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.LineArticle && v.Line == 1);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.LineTotalTtc && v.Line == 3);
        Assert.Contains(result.Violations, v => v.Rule == TicketRules.PaymentAmount && v.Line is null);
        Assert.Contains("LINE_ARTICLE (line 1)", result.Describe());
    }
}
