using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Api;
using Middleware.Api.Vem;
using Middleware.Domain.Tickets;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;
using Middleware.Tickets.Model;
using Middleware.Tickets.Sending;
using Middleware.Tickets.Whiz;

namespace Middleware.Tickets.Tests.Integration;

/// <summary>The real sandbox server (Kestrel, loopback, free port) and the real VEM client of core/Api pointed at it.</summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private ServiceProvider? provider;

    private SandboxHarness(string directory) => Directory = directory;

    public string Directory { get; }
    public SandboxServer Server { get; private set; } = null!;
    public ITicketUploader Uploader { get; private set; } = null!;
    public IWhizClient Whiz { get; private set; } = null!;

    /// <summary>The real VEM client of core/Api (asked for a point of sale's last ticket by the numbering).</summary>
    public IVemClient Vem { get; private set; } = null!;
    public SandboxSeed Seed => Server.Seed;

    public static async Task<SandboxHarness> StartAsync(string directory, int port = 0)
    {
        var h = new SandboxHarness(directory);
        await h.StartServerAsync(port);
        return h;
    }

    /// <summary>Stops the server (VEM down); the client stays.</summary>
    public async Task StopServerAsync() => await Server.DisposeAsync();

    /// <summary>Starts the server again on the same port and the same database (VEM back).</summary>
    public Task RestartServerAsync() => StartServerAsync(Server.BaseUrl.Port);

    private async Task StartServerAsync(int port)
    {
        Server = await SandboxServer.StartAsync(new SandboxOptions { Port = port, DatabasePath = Path.Combine(Directory, "sandbox.db") });
        if (provider is null)
        {
            var secrets = Path.Combine(Directory, "secrets.json");
            await File.WriteAllTextAsync(secrets, JsonSerializer.Serialize(new
            {
                vemInstallationKeys = Server.Seed.PointsOfSale.ToDictionary(p => p.AppId, p => p.InstallationKey),
            }));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CrousApis:Vem:BaseUrl"] = Server.BaseUrl.ToString(),
                ["CrousApis:Vem:Timeout"] = "00:00:05",
                ["CrousApis:Vem:Retry:MaxRetries"] = "0",
                ["CrousApis:Secrets:File"] = secrets,
            }).Build();
            provider = new ServiceCollection().AddLogging().AddCrousApis(config).BuildServiceProvider();
            var vem = provider.GetRequiredService<IVemClient>();
            Vem = vem;
            Uploader = new VemTicketUploader(vem);
            Whiz = new VemWhizClient(vem);
        }
    }

    /// <summary>An Izly card sale valid against the sandbox's reference data (1201 at 5.5 %, 1301-style drink).</summary>
    public static TicketSale Sale(int i) => new()
    {
        Lines =
        [
            new SaleLine { CodeArticle = 1201, UnitPriceTtc = 3.30m + (i % 5), Label = "Repas complet" },
            SaleLine.Subsidy(9101, 2.30m),
        ],
        Payment = new SalePayment { CodeReglement = CodeReglement.Izly, IdSupport = "36000000", IdTransactionIzly = "tx-" + i, NumeroApplicatif = "04A1B2C3D4E5F6" },
        Customer = new SaleCustomer { CodeClient = "c-" + i, BalanceAfter = 10m, CodeSociete = 10, Tarif = 2, IdSupport = "36000000" },
        Distribution = Distribution.OnSite,
    };

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (provider is not null)
        {
            await provider.DisposeAsync();
        }
    }
}
