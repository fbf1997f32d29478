using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Middleware.Api.Http;
using Middleware.Api.Izly;
using Middleware.Api.Vem;
using Middleware.Domain.Tickets;

namespace Middleware.Api.Tests.Http;

/// <summary>
/// The source-generated JSON is the reflection serializer's with the options the wire always had (web defaults, nulls
/// not written): the same bytes for every body sent, the same records from every answer read, quirks included
/// (numbers in strings, names in another case, ids as numbers, unknown fields, non-ASCII text).
/// </summary>
public sealed class WireJsonTests
{
    // The options IzlyAdapter.Json, VemAdapter.Json and VemJson.Options were: reflection over the same attributes.
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static TheoryData<string, object> Bodies() => new()
    {
        { "debit by card", new IzlyAdapter.DebitBody(330, "5-1-9-8-14-42", "5-1-9-8-14", "SAM-01") },
        { "debit by QR (no SAM)", new IzlyAdapter.DebitBody(1, "o\"1\\é", "5-1-9-8-14", null) },
        { "web payment", new IzlyAdapter.WebPaymentBody(150, "o-2", "o-2", "https://r.example/après?a=1&b=<2>", "Repas – Crous ✓", "https://cb.example/x") },
        { "web payment, nulls", new IzlyAdapter.WebPaymentBody(150, "o-2", null, null, null, null) },
        { "authenticate", new VemAdapter.AuthenticateRequest("PPD", "5-1-9-8-14", "vem-key+/=") },
        { "whiz status", new VemAdapter.WhizStatusBody("EN_PREPARATION") },
        { "whiz order", new WhizOrder("T-2026-11-26-0042", 2, new DateTimeOffset(2026, 11, 26, 11, 5, 7, 123, TimeSpan.FromHours(1)),
            [new WhizOrderLine(1201, "Plat du jour — végé", 2, "sans sel"), new WhizOrderLine(1300, "Café", 1, null)]) },
        { "ticket, sale", Sale() },
        { "ticket, refund with every field", Refund() },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Every_body_sent_is_byte_for_byte_the_reflection_serializers(string what, object body)
    {
        var generated = ApiJsonContext.Default.GetTypeInfo(body.GetType());
        Assert.NotNull(generated); // every wire record has generated metadata

        var expected = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Reflection);
        var actual = JsonSerializer.SerializeToUtf8Bytes(body, generated);

        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}:\n{Encoding.UTF8.GetString(expected)}\n{Encoding.UTF8.GetString(actual)}");
    }

    [Fact]
    public void A_ticket_is_the_bytes_every_other_part_of_the_middleware_writes_for_it()
    {
        // The outbox, the journal and the sandbox use the Domain's VemJson.Options (reflection).
        foreach (var ticket in new[] { Sale(), Refund() })
        {
            Assert.Equal(JsonSerializer.Serialize(ticket, VemJson.Options), Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(ticket, ApiJsonContext.Default.VemTicket)));
        }
    }

    public static TheoryData<string, Type, string> Answers() => new()
    {
        { "right holder", typeof(IzlyAdapter.RightHolderWire), """{"identifier":1000001,"firstName":"Zoé","lastName":"N'Diaye","balance":"1525","idCompanyRate":8000,"idRate":1,"dueDate":"2027-08-31T00:00:00+02:00","accountStatus":"ACTIF","blockingStatus":"NON_BLOQUE","idCrous":5,"rneOrgCode":"0692437Z","email":null,"loyaltyPoints":3,"extra":{"x":[1,2]}}""" },
        { "right holder, other case", typeof(IzlyAdapter.RightHolderWire), """{"Identifier":"1000002","FIRSTNAME":"A","balance":0,"idCompanyRate":"10","idRate":2}""" },
        { "operation", typeof(IzlyAdapter.OperationWire), """{"idTransactionIzly":88412,"status":1,"balanceAfter":1195,"operationDate":"2026-11-26T11:00:00.123+01:00"}""" },
        { "operation, strings", typeof(IzlyAdapter.OperationWire), """{"idTransactionIzly":"88412","status":"2","balanceAfter":"-5","operationDate":null}""" },
        { "operations page", typeof(IzlyAdapter.OperationsPageWire), """{"page":1,"pageSize":2,"totalCount":3,"operations":[{"idTransactionIzly":1,"clientOrderId":"o-1","amount":330,"status":1,"means":"support","createdAt":"2026-11-26T10:00:00Z","updatedAt":"2026-11-26T10:00:00Z","refundedAt":null},null]}""" },
        { "cancel", typeof(IzlyAdapter.CancelWire), """{"status":3}""" },
        { "web payment created", typeof(IzlyAdapter.WebPaymentCreatedWire), """{"paymentAuthorizationUrl":"https://pay.example/x?y=1","operationSMoney":{"id":991,"clientOrderId":"o-2","status":0}}""" },
        { "web payment check, error object", typeof(IzlyAdapter.WebPaymentCheckWire), """{"operationId":"991","orderId":"o-2","error":{"code":"-8","message":"expiré"},"operationStatus":4,"clientCode":"C1"}""" },
        { "web payment check, no error", typeof(IzlyAdapter.WebPaymentCheckWire), """{"operationId":991,"orderId":"o-2","error":null,"operationStatus":1}""" },
        { "Izly error", typeof(IzlyAdapter.ErrorBody), """{"errors":[{"code":"-50","message":"Solde insuffisant : 120 centimes disponibles","field":null},{"code":"-1","message":"x","field":"amount"}]}""" },
        { "authenticate answer", typeof(VemAdapter.AuthenticateResponse), """{"token":"eyJ.x.y","expiresIn":"600"}""" },
        { "OAuth answer", typeof(VemAdapter.OAuthTokenResponse), """{"access_token":"abc","expires_in":7200,"token_type":"bearer"}""" },
        { "ticket accepted", typeof(VemAdapter.TicketAccepted), """{"idTicketEntete":"9","statut":"INTEGRE"}""" },
        { "VEM error", typeof(VemAdapter.ErrorBody), """{"errors":[{"code":"-70","message":"Règle R12 ligne 2","field":"listeLignes[1].totalTtc"}]}""" },
        { "caisse", typeof(VemCaisse), """{"idCrous":5,"idUg":1,"idRu":9,"idUd":8,"idCaisse":14,"libelle":"RU La Doua – caisse 14","cleIzly":"k","idLogiciel":39,"dernierTicket":{"idTicketEntete":"77","numeroTicket":"N77"}}""" },
        { "caisse, no last ticket", typeof(VemCaisse), """{"idCrous":5,"idUg":1,"idRu":9,"idUd":8,"idCaisse":14,"dernierTicket":null}""" },
        { "tva", typeof(List<VemTva>), """[{"codeTva":1,"taux":5.5,"libelle":"Réduit"},{"codeTva":3,"taux":"20.00","libelle":null}]""" },
        { "articles", typeof(List<VemArticle>), """[{"codeArticle":1201,"libelle":"Plat","codeTva":1,"codeFamille":null,"actif":true,"versBornesPrepaiement":false}]""" },
        { "societes", typeof(List<VemSociete>), """[{"codeSociete":8000,"libelle":"Étudiants"}]""" },
        { "societes-tarifs", typeof(List<VemSocieteTarif>), """[{"codeSociete":8000,"codeTarif":1,"libelle":"Boursier","codeTva":null}]""" },
        { "periodes", typeof(List<VemPeriode>), """[{"idPeriode":1,"dateDebut":"2026-09-01","dateFin":"2027-01-31T23:59:59+01:00"}]""" },
        { "societes-tarifs-periode", typeof(List<VemSocieteTarifPeriode>), """[{"codeSociete":8000,"codeTarif":1,"idPeriode":1}]""" },
        { "prix", typeof(List<VemArticlePrix>), """[{"codeArticle":1201,"codeSociete":8000,"codeTarif":1,"idPeriode":1,"prixTtc":3.30},{"codeArticle":1,"codeSociete":1,"codeTarif":1,"idPeriode":1,"prixTtc":"1e1"}]""" },
        { "droits-entree-types", typeof(List<VemDroitEntreeType>), """[{"codeType":1,"libelle":"Droit d'entrée"}]""" },
        { "droits-entree", typeof(List<VemDroitEntree>), """[{"codeSociete":10,"codeTarif":1,"codeType":1,"montantTtc":1.10,"codeArticle":9001}]""" },
        { "subventions", typeof(List<VemSubvention>), """[{"codeSociete":8000,"codeTarif":1,"codeArticle":9100,"montant":-1.50,"libelle":"Aide"}]""" },
        { "whiz order created", typeof(WhizOrderCreated), """{"idCommande":123,"numeroAppel":"A12"}""" },
        { "ticket", typeof(VemTicket), """{"idTicketEntete":"9","numeroTicket":"N9","codeEvenement":"VT","date":"2026-11-26T10:00:00+00:00","versionLogiciel":"1.0.0","listeLignes":[{"numeroLigne":1,"codeArticle":1201,"quantite":1,"codeTva":1,"prixUnitaireHt":3.13,"prixUnitaireTtc":3.3,"totalHt":3.13,"totalTtc":3.3}],"listeReglements":[{"codeReglement":4,"montant":3.3}]}""" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Every_answer_read_gives_the_reflection_serializers_record(string what, Type type, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var generated = ApiJsonContext.Default.GetTypeInfo(type);
        Assert.NotNull(generated);

        var expected = JsonSerializer.Deserialize(bytes, type, Reflection);
        var actual = JsonSerializer.Deserialize(bytes, generated);

        // Compared by what they hold, written back by the reflection serializer (records with lists or JsonElement do
        // not compare by value).
        Assert.NotNull(actual);
        var want = JsonSerializer.Serialize(expected, type, Reflection);
        var got = JsonSerializer.Serialize(actual, type, Reflection);
        Assert.True(want == got, $"{what}:\n{want}\n{got}");
    }

    [Theory]
    [InlineData(typeof(IzlyAdapter.OperationWire), """{"status":"not a number"}""")]
    [InlineData(typeof(VemTicket), """{"idTicketEntete":"9"}""")] // required members missing
    [InlineData(typeof(List<VemTva>), """{"codeTva":1}""")]
    [InlineData(typeof(WhizOrderCreated), """{"idCommande":[1]}""")]
    public void What_reflection_refused_is_refused_too(Type type, string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, type, Reflection));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), ApiJsonContext.Default.GetTypeInfo(type)!));
    }

    private static VemTicket Sale() => Middleware.Api.Tests.Vem.VemClientIntegrationTests.Ticket("9", "N9", 3.30m) with
    {
        ListeReglements = [new VemPayment { CodeReglement = CodeReglement.Izly, Montant = 3.30m, QrCode = "UVIgY29kZQ==", IdTransactionIzly = "88412" }],
    };

    private static VemTicket Refund() => new()
    {
        IdTicketEntete = "5-1-9-8-14-000123",
        NumeroTicket = "20261126-0123",
        CodeEvenement = CodeEvenements.Refund,
        Date = new DateTimeOffset(2026, 11, 26, 12, 30, 1, 5, TimeSpan.FromHours(1)),
        VersionLogiciel = "2.3.0-beta+é",
        ListeLignes =
        [
            new VemTicketLine { NumeroLigne = 1, CodeArticle = 1201, Quantite = -2, CodeTva = 1, PrixUnitaireHt = 3.1280m, PrixUnitaireTtc = 3.30m, TotalHt = -6.26m, TotalTtc = -6.60m, GainFidelite = -4 },
            new VemTicketLine { NumeroLigne = 2, CodeArticle = 9100, Quantite = -1, CodeTva = 1, PrixUnitaireHt = -1.42m, PrixUnitaireTtc = -1.5m, TotalHt = 1.42m, TotalTtc = 1.50m },
        ],
        ListeReglements = [new VemPayment { CodeReglement = CodeReglement.Izly, Montant = -5.10m, IdSupport = "36000001", IdTransactionIzly = "88412", NumeroApplicatif = "04A1B2C3D40001" }],
        Complementaire = new VemComplement
        {
            CodeClient = "1000001", SoldeClient = 12.05m, CumulPointsFidelite = -4, SoldePointsFidelite = 10, NomClient = "Zoé N'Diaye <z>",
            DateFinValiditeClient = new DateTimeOffset(2027, 8, 31, 0, 0, 0, TimeSpan.FromHours(2)), CodeSocieteClient = 8000, TarifClient = 1,
            CodeCrousClient = 5, RneEtablissement = "0692437Z", Affectation = "INSA", AdresseMail = "z@example.fr", IdSupport = "36000001",
            IdTypeDistribution = 2, IdLogiciel = 39, IdTicketEnteteOrigine = "5-1-9-8-14-000100", NumeroTicketOrigine = "20261126-0100",
        },
    };
}
