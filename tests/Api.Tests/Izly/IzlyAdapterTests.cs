using Middleware.Api.Http;
using Middleware.Api.Izly;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;

namespace Middleware.Api.Tests.Izly;

public sealed class IzlyAdapterTests
{
    [Theory]
    [InlineData(422, "-50", "Solde insuffisant", IzlyRefusal.InsufficientBalance)]
    [InlineData(422, "-60", "", IzlyRefusal.QrInvalid)]
    [InlineData(422, "-61", "", IzlyRefusal.QrExpired)]
    [InlineData(422, "-62", "", IzlyRefusal.QrAlreadyUsed)]
    [InlineData(422, "-8", "", IzlyRefusal.Expired)]
    [InlineData(422, "-41", "", IzlyRefusal.AccountBlocked)]
    [InlineData(404, "-42", "", IzlyRefusal.UnknownHolder)]
    [InlineData(422, "-117", "", IzlyRefusal.UnknownHolder)]
    [InlineData(423, "-44", "Compte bloqué : COMPTE_GELE.", IzlyRefusal.AccountFrozen)]
    [InlineData(423, "-44", "Compte bloqué : BLOCAGE_PAR_3_MOTS_DE_PASSE_ERRONNES.", IzlyRefusal.AccountBlocked)]
    [InlineData(404, "-1", "", IzlyRefusal.UnknownHolder)]
    [InlineData(422, "-9", "", IzlyRefusal.Other)]
    public void Error_codes_map_to_refusals(int status, string code, string message, IzlyRefusal expected) =>
        Assert.Equal(expected, IzlyAdapter.Refusal(status, new ApiError(code, message, null)));

    [Fact]
    public void A_debit_body_carries_cents()
    {
        var card = new CardMedium(new CardIdentity("36000001", "04A1B2C3D40001", CardTechnology.Desfire, "r", "SAM", true));
        var body = IzlyAdapter.BuildDebitBody(new DebitRequest("5-1-9-8-14", "o1", 3.30m, card), "SAM");
        Assert.Equal(330, body.Amount);
        Assert.Throws<ArgumentException>(() => IzlyAdapter.BuildDebitBody(new DebitRequest("5-1-9-8-14", "o1", 0.001m, card), null));
    }

    [Fact]
    public void Balances_come_back_in_euros_and_the_insufficient_balance_is_read()
    {
        var refused = IzlyAdapter.Refused(
            new ApiResponse(422, """{"errors":[{"code":"-50","message":"Solde insuffisant : 120 centimes disponibles, 330 demandés.","field":null}]}""", null, TransportFailure.None, null),
            "debit");
        Assert.Equal(IzlyRefusal.InsufficientBalance, refused.Refusal);
        Assert.Equal(1.20m, refused.Balance);
    }

    [Fact]
    public void The_QR_code_is_base64_and_percent_encoded_in_the_debit_path()
    {
        var encoded = IzlyAdapter.EncodeQrCode("AIZ;x;2026-11-26 10:00:00;3;ab;c+/=");
        Assert.Equal("AIZ;x;2026-11-26 10:00:00;3;ab;c+/=", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
        var path = IzlyAdapter.DebitPath(true, "ab+/c=");
        Assert.Equal("/api/payments/debit/qrcode/ab%2B%2Fc%3D", path);
    }

    [Fact]
    public void The_verification_rejects_a_foreign_order_or_an_error()
    {
        var ok = IzlyAdapter.ToWebPaymentState(new IzlyAdapter.WebPaymentCheckWire("9", "o1", null, 1, null), "9", "o1");
        Assert.Equal(IzlyOperationStatus.Completed, ok.Status);
        Assert.Null(ok.Error);

        var foreign = IzlyAdapter.ToWebPaymentState(new IzlyAdapter.WebPaymentCheckWire("9", "o2", null, 1, null), "9", "o1");
        Assert.NotNull(foreign.Error);
        Assert.NotEqual(IzlyOperationStatus.Completed, foreign.Status);
    }
}
