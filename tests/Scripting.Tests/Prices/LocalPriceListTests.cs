using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;
using Middleware.Scripting.Rpc;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Prices;

public sealed class LocalPriceListTests : IDisposable
{
    private readonly TestScripts scripts = new();

    [Fact]
    public void Prices_follow_the_period_and_profile()
    {
        var list = Catalog;
        Assert.Equal(3.30m, list.Price(2001, 10, 1, new DateOnly(2026, 9, 1)));
        Assert.Equal(3.25m, list.Price(2001, 10, 1, new DateOnly(2026, 8, 31)));
        Assert.Null(list.Price(2001, 10, 1, new DateOnly(2024, 1, 1)));
        Assert.Equal(7.50m, list.Price(2001, 8000, 1, new DateOnly(2024, 1, 1)));
        Assert.Equal(2, list.ProfileVatCode(8000, 1));
        Assert.Null(list.ProfileVatCode(10, 1));
        Assert.Equal(5.5m, list.VatRate(3));
    }

    [Fact]
    public void A_bad_price_list_is_refused_with_the_file_and_reason()
    {
        var path = scripts.Write("bad-prices.json", """{ "tva": [ { "codeTva": 1, "taux": 10 } ], "articles": [ { "codeArticle": 5, "libelle": "X", "codeTva": 7 } ] }""");
        var error = Assert.Throws<PriceListException>(() => LocalPriceList.Load(path));
        Assert.Contains("article 5 ('X') has VAT code 7, which is not in \"tva\"", error.Message, StringComparison.Ordinal);

        scripts.Write("bad2.json", "{ \"prix\": [ { \"codeArticle\": 1 ");
        Assert.Contains("bad2.json:1", Assert.Throws<PriceListException>(() => LocalPriceList.Load(Path.Combine(scripts.Root, "bad2.json"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_site_with_local_prices_but_no_price_list_gets_a_clear_error()
    {
        scripts.Write("sites/nolist/site.json", """{ "priceSource": "local" }""");
        using var engine = scripts.Engine();
        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("nolist", Student, Item(1201))));
        Assert.Equal(ErrorCode.ScriptNotFound, error.Code);
        Assert.Contains("no prices.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<MiddlewareException>(() => engine.Price(Request("unknown/site", Student, Item(1201)))).Message, StringComparison.Ordinal);
        Assert.Throws<MiddlewareException>(() => engine.Price(Request("../etc", Student, Item(1201))));
    }

    [Fact]
    public void Bad_site_settings_name_the_key_and_file()
    {
        scripts.Write("sites/badtime/site.json", """{ "evening": { "from": "half past six" } }""");
        scripts.Write("sites/badtime/pricing.csx", "var t = Site.Time(\"evening.from\", new TimeOnly(18, 30));\n");
        using var engine = scripts.Engine();
        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("badtime", Student, Item(1201))));
        Assert.Contains("Site setting 'evening.from' is 'half past six' but must be a time of day like 18:30", error.Message, StringComparison.Ordinal);
        Assert.Contains("sites/badtime/site.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddScripting_binds_options_and_exposes_the_engine_and_scripts_status()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scripting:ScriptsRoot"] = scripts.Root,
            ["Scripting:CacheDirectory"] = SharedCache,
            ["Scripting:WatchForChanges"] = "false",
            ["Scripting:MaxCallDepth"] = "32",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IPriceCatalog>(Catalog);
        services.AddScripting(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(32, provider.GetRequiredService<IOptions<ScriptingOptions>>().Value.MaxCallDepth);
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var engine = provider.GetRequiredService<IScriptEngine>();
        Assert.Equal(2.20m, engine.Price(Request(null, Student, Item(1201))).TotalTtc);

        var rpc = Assert.Single(provider.GetServices<IRpcTarget>().OfType<ScriptsRpcTarget>());
        var method = typeof(ScriptsRpcTarget).GetMethod(nameof(ScriptsRpcTarget.Status))!;
        Assert.Equal("scripts.status", ((RpcMethodAttribute)Attribute.GetCustomAttribute(method, typeof(RpcMethodAttribute))!).Name);
        var reply = rpc.Status();
        Assert.Equal(["mapping.csx", "pricing.csx", "sites/crous-5/ru-12/mapping.csx", "sites/crous-5/ru-9/mapping.csx", "sites/crous-5/ru-9/pricing.csx"], reply.Scripts.Select(s => s.File));
        Assert.All(reply.Scripts, s => Assert.Equal((ScriptState.Active, 12), (s.State, s.Version.Length)));
    }

    public void Dispose() => scripts.Dispose();
}
