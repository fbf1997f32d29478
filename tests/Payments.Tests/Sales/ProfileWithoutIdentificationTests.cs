using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Payments.Tests.Journal;

namespace Middleware.Payments.Tests.Sales;

/// <summary>Issue 16: a till prices a sale at a profile without an Izly identification only when the site allows that
/// profile (<c>Sales:ProfilesWithoutIdentification</c>); a student price needs the card or the QR code.</summary>
public sealed class ProfileWithoutIdentificationTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private static readonly PointOfSaleId PosId = PointOfSaleId.Parse(Pos);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "profiles-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));

    public ProfileWithoutIdentificationTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(8024, 1)]
    [InlineData(8024, 2)]
    public async Task By_default_the_guest_and_online_ordering_profiles_are_allowed(int societe, int tarif)
    {
        var sales = NewSales(null);
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);

        var priced = await sales.SetProfileAsync(PosId, sale.Id, societe, tarif, default);

        Assert.Equal((societe, tarif), (priced.Profile.CodeSociete, priced.Profile.CodeTarif));
    }

    [Fact]
    public async Task A_student_price_without_identification_is_refused_and_the_sale_keeps_its_profile()
    {
        var sales = NewSales(null);
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);

        var error = await Assert.ThrowsAsync<MiddlewareException>(() => sales.SetProfileAsync(PosId, sale.Id, 10, 1, default));

        Assert.Equal(ErrorCode.InvalidRequest, error.Code);
        Assert.Contains("10/1", error.Message, StringComparison.Ordinal);
        Assert.Equal(8000, (await sales.GetAsync(PosId, sale.Id, default)).Profile.CodeSociete);
    }

    [Fact]
    public async Task A_site_narrows_the_list_and_a_malformed_entry_is_refused_at_start()
    {
        var sales = NewSales(["8000/1"]);
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);

        Assert.Equal(ErrorCode.InvalidRequest, (await Assert.ThrowsAsync<MiddlewareException>(() => sales.SetProfileAsync(PosId, sale.Id, 8024, 1, default))).Code);
        Assert.Equal(8000, (await sales.SetProfileAsync(PosId, sale.Id, 8000, 1, default)).Profile.CodeSociete);
        Assert.Null(new SalesOptions { ProfilesWithoutIdentification = ["8000-1"] }.AllowedProfiles());
        Assert.Null(new SalesOptions { ProfilesWithoutIdentification = ["8000/x"] }.AllowedProfiles());
    }

    private SaleService NewSales(List<string>? allowed) =>
        SaleTestHost.Create(_dir, _time, new SalesOptions { ProfilesWithoutIdentification = allowed }, new PointOfSaleOptions { Id = Pos }).Sales;
}
