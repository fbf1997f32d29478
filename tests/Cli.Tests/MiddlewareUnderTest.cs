using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Middleware.Api;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Pipe;
using Middleware.PluginHost;
using Middleware.Sandbox;
using Middleware.Tickets;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;

namespace Middleware.Cli.Tests;

/// <summary>
/// The middleware parts mwctl talks to, for real: the named-pipe server on a unique pipe, the ticket outbox on a
/// temporary SQLite file, its sender uploading to the embedded sandbox's VEM (Kestrel on a free loopback port) through
/// the real VEM client, and the plugin host over a plugins.json of its own.
/// </summary>
internal sealed class MiddlewareUnderTest : IAsyncDisposable
{
    public const string Pos = "5-1-9-8-14";

    /// <summary>A second till of the same host (the bulk replay of every point of sale).</summary>
    public const string OtherPos = "5-1-9-8-15";

    /// <summary>An article the middleware's reference data knows but the sandbox's VEM does not: VEM refuses (422).</summary>
    public const int ArticleUnknownToVem = 7777;

    private readonly ServiceProvider provider;
    private readonly List<IHostedService> started = [];

    private MiddlewareUnderTest(string directory, SandboxServer sandbox, ServiceProvider provider, string pipeName)
    {
        Directory = directory;
        Sandbox = sandbox;
        this.provider = provider;
        PipeName = pipeName;
        Tickets = provider.GetRequiredService<ITicketService>();
    }

    public string Directory { get; }

    public SandboxServer Sandbox { get; }

    public string PipeName { get; }

    public ITicketService Tickets { get; }

    /// <param name="withEchoPlugin">Also load the test plugin <c>test.echo</c> (tests/TestPlugins/EchoV1), enabled.</param>
    public static async Task<MiddlewareUnderTest> StartAsync(bool withEchoPlugin = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-cli-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(dir, "sandbox.db") });
        var secrets = Path.Combine(dir, "secrets.json");
        await File.WriteAllTextAsync(secrets, JsonSerializer.Serialize(new
        {
            vemInstallationKeys = sandbox.Seed.PointsOfSale.ToDictionary(p => p.AppId, p => p.InstallationKey),
        }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var pluginsFile = Path.Combine(dir, "plugins.json");
        var echo = "";
        if (withEchoPlugin)
        {
            CopyEchoPlugin(Path.Combine(dir, "plugins", "echo"));
            echo = """, { "id": "test.echo", "folder": "plugins/echo", "assembly": "TestPlugin.Echo.dll", "enabled": true, "settings": {} }""";
        }

        await File.WriteAllTextAsync(pluginsFile, $$"""
            { "plugins": [ { "id": "reader.calypso", "folder": "plugins/Calypso/bin", "assembly": "Middleware.Plugins.Calypso.dll", "enabled": false, "settings": {} }{{echo}} ] }
            """);
        var pipeName = "mwctl-" + Guid.NewGuid().ToString("N")[..12];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PointsOfSale:0:Id"] = Pos,
            ["PointsOfSale:0:Label"] = "RU 9 caisse 14 (cli tests)",
            ["PointsOfSale:0:TimeZone"] = "Europe/Paris",
            ["PointsOfSale:1:Id"] = OtherPos,
            ["PointsOfSale:1:Label"] = "RU 9 caisse 15 (cli tests)",
            ["PointsOfSale:1:TimeZone"] = "Europe/Paris",
            ["Pipe:PipeName"] = pipeName,
            ["Pipe:IdempotencyDatabasePath"] = Path.Combine(dir, "idempotency.db"),
            ["Tickets:DatabasePath"] = Path.Combine(dir, "tickets.db"),
            ["Tickets:VersionLogiciel"] = "cli-tests",
            ["Journal:SigningKeyFile"] = Path.Combine(dir, "journal.key"),
            ["Journal:ArchiveDirectory"] = Path.Combine(dir, "archives"),
            ["CrousApis:Vem:BaseUrl"] = sandbox.BaseUrl.ToString(),
            ["CrousApis:Vem:Timeout"] = "00:00:10",
            ["CrousApis:Vem:Retry:MaxRetries"] = "0",
            ["CrousApis:Secrets:File"] = secrets,
            ["PluginHost:PluginsFile"] = pluginsFile,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IReferenceCatalogSource>(new FixedReferenceCatalogSource(new ArticlesCatalog(sandbox.Seed)));
        services.AddCrousApis(configuration);
        services.AddTickets(configuration);
        services.AddPluginHost(configuration);
        services.AddPipeServer(configuration);
        var provider = services.BuildServiceProvider();
        var middleware = new MiddlewareUnderTest(dir, sandbox, provider, pipeName);
        // The host's services except core/Api's scheduled reference sync (the tests give the reference data).
        foreach (var service in provider.GetServices<IHostedService>().Where(s => s.GetType().Assembly != typeof(CrousApisServiceCollectionExtensions).Assembly))
        {
            await service.StartAsync(CancellationToken.None);
            middleware.started.Add(service);
        }

        return middleware;
    }

    /// <summary>The EchoV1 test plugin's build output (beside this project's under the artifacts folder), copied.</summary>
    private static void CopyEchoPlugin(string target)
    {
        // .artifacts/<slot>/bin/Middleware.Cli.Tests/<pivot>/ -> .artifacts/<slot>/bin/TestPlugin.EchoV1/<pivot>/
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var source = Path.Combine(own.Parent!.Parent!.FullName, "TestPlugin.EchoV1", own.Name);
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    /// <summary>Runs mwctl in-process on this middleware's pipe and point of sale; what it printed and its exit code.</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunOnPipeAsync(PipeName, args);

    public static async Task<CliRun> RunOnPipeAsync(string pipeName, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] all = [.. args, "--pipe", pipeName, "--pos", Pos, "--timeout", "60"];
        var code = await Mwctl.InvokeAsync(all, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>A sale the sandbox's VEM integrates (its reference data), or refuses when it has the article it does not know.</summary>
    public static TicketSale Sale(int i, bool unknownToVem = false) => new()
    {
        Lines =
        [
            new SaleLine { CodeArticle = 1201, UnitPriceTtc = 3.30m + i, Label = "Repas complet" },
            SaleLine.Subsidy(9101, 2.30m),
            .. unknownToVem ? new[] { new SaleLine { CodeArticle = ArticleUnknownToVem, UnitPriceTtc = 1.00m, Label = "Café" } } : [],
        ],
        Payment = new SalePayment { CodeReglement = CodeReglement.Izly, IdSupport = "36000000", IdTransactionIzly = "tx-" + i, NumeroApplicatif = "04A1B2C3D4E5F6" },
        Customer = new SaleCustomer { CodeClient = "c-" + i, BalanceAfter = 10m, CodeSociete = 10, Tarif = 2, IdSupport = "36000000" },
        Distribution = Distribution.OnSite,
    };

    public Task<TicketReceipt> CommitAsync(string requestId, TicketSale sale, string pointOfSale = Pos) =>
        Tickets.CommitAsync(PointOfSaleId.Parse(pointOfSale), requestId, sale, CancellationToken.None);

    /// <summary>Waits (60 s at most) until the sender has brought ticket <paramref name="id"/> to <paramref name="state"/>
    /// with at least <paramref name="attempts"/> uploads.</summary>
    public async Task<TicketRecord> WaitForAsync(long id, TicketState state, int attempts = 1, string pointOfSale = Pos, int replays = 0)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var record = await Tickets.GetAsync(PointOfSaleId.Parse(pointOfSale), id, CancellationToken.None);
            if (record is not null && record.State == state && record.Attempts >= attempts && record.Replays >= replays)
            {
                return record;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Ticket {id} is {record?.State} after {record?.Attempts} attempts, not {state} after {attempts}.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = started.Count - 1; i >= 0; i--)
        {
            await started[i].StopAsync(CancellationToken.None);
        }

        await provider.DisposeAsync();
        await Sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The sandbox's reference data, plus one article VEM does not know (the middleware's data is ahead of VEM's).</summary>
    private sealed class ArticlesCatalog(IReferenceCatalog sandbox) : IReferenceCatalog
    {
        public bool ArticleExists(int codeArticle) => codeArticle == ArticleUnknownToVem || sandbox.ArticleExists(codeArticle);

        public int? ArticleVatCode(int codeArticle) => codeArticle == ArticleUnknownToVem ? sandbox.ArticleVatCode(1201) : sandbox.ArticleVatCode(codeArticle);

        public decimal? VatRate(int codeTva) => sandbox.VatRate(codeTva);

        public int? ProfileVatCode(int codeSociete, int codeTarif) => sandbox.ProfileVatCode(codeSociete, codeTarif);

        public int? IdLogiciel => sandbox.IdLogiciel;
    }
}

/// <summary>One mwctl run: exit code, standard output, standard error.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Output);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\n--- out ---\n{Output}\n--- err ---\n{Error}";
}
