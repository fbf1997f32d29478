using Middleware.Domain.Errors;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>One VAT code per line from till to VEM (crous-izly-api.md §4): the priced code is the rule's, whatever the
/// payment, and a script that sets another one fails before any payment.</summary>
public sealed class VatCodeTests : IDisposable
{
    private readonly TestScripts scripts = new();

    [Theory]
    [InlineData(null)]
    [InlineData(4)]
    [InlineData(9)]
    public void A_guest_gets_the_profiles_vat_code_and_a_student_the_articles_whatever_the_payment(int? paymentCode)
    {
        using var engine = scripts.Engine();
        // catalog.json: 1201 at codeTva 1; the guests' profile 8000/1 at codeTva 2; students have none of their own.
        var guest = engine.Price(Request(null, Guest, Item(1201)) with { PaymentCode = paymentCode });
        Assert.All(guest.Lines, l => Assert.Equal(2, l.CodeTva));
        var student = engine.Price(Request(null, Student, Item(1201)) with { PaymentCode = paymentCode });
        Assert.Equal(1, Assert.Single(student.Lines).CodeTva);
    }

    [Fact]
    public void A_script_setting_another_vat_code_than_the_rules_faults_before_any_payment()
    {
        scripts.Write("sites/vat/pricing.csx", "foreach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, PriceOf(l.CodeArticle), codeTva: 3); }\n");
        using var engine = scripts.Engine();

        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("vat", Student, Item(1201))));

        Assert.Equal(ErrorCode.ScriptFaulted, error.Code);
        Assert.Contains("VAT code 3; this customer's is 1", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => scripts.Dispose();
}
