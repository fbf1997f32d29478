using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Payments.Tests.Journal;

namespace Middleware.Payments.Tests.Sales;

/// <summary>Sales:RefuseUnauthenticatedCardsAt: a point of sale listed there refuses cards read without a SAM (Calypso,
/// cards.md §6) and keeps the tap; a card a SAM authenticated is never refused by it.</summary>
public sealed class UnauthenticatedCardTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private const string Reader = "Reader 0";
    private static readonly PointOfSaleId PosId = PointOfSaleId.Parse(Pos);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "unauth-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
    private readonly RecentTaps _taps = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private SaleService NewSales(params string[] refusing) =>
        SaleTestHost.Create(_dir, _time, new SalesOptions { RefuseUnauthenticatedCardsAt = [.. refusing] }, new PointOfSaleOptions { Id = Pos, Readers = [Reader] }, taps: _taps).Sales;

    private void Tap(bool authenticated) => _taps.CardTapped(new CardTapped(
        new CardIdentity("36000001", "04A1B2C3D40001", authenticated ? CardTechnology.Desfire : CardTechnology.Calypso, Reader,
            authenticated ? "5357534D00000001" : null, authenticated),
        _time.GetUtcNow()));

    [Fact]
    public async Task A_listed_point_of_sale_refuses_an_unauthenticated_card_and_keeps_the_tap()
    {
        Directory.CreateDirectory(_dir);
        var sales = NewSales("5-1-9-8-14");
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        Tap(authenticated: false);

        var error = await Assert.ThrowsAsync<MiddlewareException>(() => sales.IdentifyByCardAsync(PosId, sale.Id, null, default));

        Assert.Equal(ErrorCode.CardAuthenticationFailed, error.Code);
        Assert.Contains("without a SAM", error.Message, StringComparison.Ordinal);
        Assert.NotNull(_taps.Latest([Reader], _time.GetUtcNow(), TimeSpan.FromMinutes(2)));
        Assert.Null((await sales.GetAsync(PosId, sale.Id, default)).Identification);
    }

    [Theory]
    [InlineData(true, "5-1-9-8-14")] // authenticated: the list does not apply
    [InlineData(false, "5-1-9-8-15")] // another till is listed
    [InlineData(false)]              // default: accepted
    public async Task Otherwise_the_card_goes_on_to_the_customer_lookup(bool authenticated, params string[] refusing)
    {
        Directory.CreateDirectory(_dir);
        var sales = NewSales(refusing);
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        Tap(authenticated);

        var error = await Record.ExceptionAsync(() => sales.IdentifyByCardAsync(PosId, sale.Id, null, default));

        // The test's plugin catalog has no card channel: the lookup fails after the acceptance check, never with it.
        Assert.False(error is MiddlewareException { Code: ErrorCode.CardAuthenticationFailed }, error?.Message);
    }
}
