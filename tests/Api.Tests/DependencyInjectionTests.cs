using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Middleware.Api.Reference;
using Middleware.Api.Tests.Support;
using Middleware.Api.Vem;
using Middleware.Contracts.Channels;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Rpc;

namespace Middleware.Api.Tests;

/// <summary>AddCrousApis as the host uses it: configuration sections, a protected secrets file, the RPC target.</summary>
public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddCrousApis_wires_clients_store_catalog_and_rpc_methods_from_configuration()
    {
        await using var h = await ApiHarness.StartAsync();
        var secrets = Path.Combine(h.Directory_, "secrets.json");
        await File.WriteAllTextAsync(secrets, System.Text.Json.JsonSerializer.Serialize(new { vemInstallationKeys = new Dictionary<string, string> { [ApiHarness.Pos.ToString()] = h.InstallationKey(ApiHarness.Pos) } }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CrousApis:Vem:BaseUrl"] = h.Server.BaseUrl.ToString(),
            ["CrousApis:Vem:Timeout"] = "00:00:05",
            ["CrousApis:Vem:AuthScheme"] = "InstallationKey",
            ["CrousApis:Izly:BaseUrl"] = h.Server.BaseUrl.ToString(),
            ["CrousApis:Reference:DatabasePath"] = Path.Combine(h.Directory_, "di-reference.db"),
            ["CrousApis:Reference:SyncAtStart"] = "false",
            ["CrousApis:Secrets:File"] = secrets,
            ["PointsOfSale:0:Id"] = ApiHarness.Pos.ToString(),
            ["PointsOfSale:0:TimeZone"] = "Europe/Paris",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddCrousApis(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(5), provider.GetRequiredService<IOptions<VemOptions>>().Value.Timeout);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ReferenceSyncService);
        var target = Assert.Single(provider.GetServices<IRpcTarget>().OfType<ReferenceRpcTarget>());
        var names = typeof(ReferenceRpcTarget).GetMethods().Select(m => m.GetCustomAttribute<RpcMethodAttribute>()).OfType<RpcMethodAttribute>().ToList();
        Assert.Equal(["reference.status", "reference.sync"], names.Select(n => n.Name).Order());
        Assert.All(names, n => Assert.False(n.Mutating));

        // A till calls reference.sync, then the catalogue of its point of sale answers.
        TillContext.Current = new TillContext(ApiHarness.Pos, "test till", "c1");
        try
        {
            var result = await target.SyncAsync(default);
            Assert.True(result.Succeeded, result.Error);
            Assert.True(target.Status().HasData);
            var catalog = provider.GetRequiredService<IReferenceCatalogSource>().For(ApiHarness.Pos);
            Assert.Equal(5.5m, catalog.VatRate(1));
            Assert.True(catalog.ArticleExists(1201));

            // The Izly gateway uses the key the sync put in memory.
            var holder = await provider.GetRequiredService<IIzlyGateway>().FindBySupportAsync(ApiHarness.Pos.ToString(), "36000001", "04A1B2C3D40001", default);
            Assert.Equal(15.25m, holder.Balance);

            // The reconciliation list is the same client (same keys, same options).
            Assert.Same(provider.GetRequiredService<IIzlyGateway>(), provider.GetRequiredService<Middleware.Api.Izly.IIzlyOperations>());
            Assert.Empty(await provider.GetRequiredService<Middleware.Api.Izly.IIzlyOperations>().ListOperationsAsync(ApiHarness.Pos,
                ApiHarness.Start.AddHours(-1), ApiHarness.Start.AddHours(1), default));
        }
        finally
        {
            TillContext.Current = null;
        }
    }

    [Fact]
    public async Task Each_point_of_sale_gets_its_own_catalogue_whichever_till_is_calling()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CrousApis:Reference:DatabasePath"] = Path.Combine(Path.GetTempPath(), "mw-api-tests", Guid.NewGuid().ToString("N"), "r.db"),
            ["PointsOfSale:0:Id"] = "5-1-9-8-14",
            ["PointsOfSale:1:Id"] = "5-1-9-8-15",
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddCrousApis(configuration).BuildServiceProvider();
        var source = provider.GetRequiredService<IReferenceCatalogSource>();

        // No ambient catalogue is registered any more: nothing can fall back on "the calling till".
        Assert.Null(provider.GetService<IReferenceCatalog>());
        // Before the first sync, a named point of sale has no data: a clear, transient error, not another till's data.
        TillContext.Current = new TillContext(PointOfSaleId.Parse("5-1-9-8-15"), "other till", "c2");
        try
        {
            var ex = Assert.Throws<Middleware.Domain.Errors.MiddlewareException>(() => source.For(PointOfSaleId.Parse("5-1-9-8-14")).VatRate(1));
            Assert.Equal(Middleware.Domain.Errors.ErrorCode.ReferenceDataUnavailable, ex.Code);
            Assert.Contains("5-1-9-8-14", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            TillContext.Current = null;
        }

        Assert.Equal([PointOfSaleId.Parse("5-1-9-8-14"), PointOfSaleId.Parse("5-1-9-8-15")], provider.GetRequiredService<IReferenceStore>().PointsOfSale);
    }
}
