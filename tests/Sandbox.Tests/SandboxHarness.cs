using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests;

/// <summary>A real sandbox on a free loopback port with its own SQLite file and a fake clock.</summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    /// <summary>Thursday 26 Nov 2026, 11:00 in Paris.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private readonly string _dir;

    private SandboxHarness(string dir, FakeTimeProvider time, SandboxServer server)
    {
        _dir = dir;
        Time = time;
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public FakeTimeProvider Time { get; }
    public SandboxServer Server { get; private set; }
    public HttpClient Http { get; private set; }
    public string DatabasePath => Path.Combine(_dir, "sandbox.db");

    public static async Task<SandboxHarness> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-sandbox-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var time = new FakeTimeProvider(Start);
        var server = await SandboxServer.StartAsync(Options(dir, time, configure));
        return new SandboxHarness(dir, time, server);
    }

    /// <summary>Stops the sandbox and starts a new one on the same database file (a restart).</summary>
    public async Task RestartAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Server = await SandboxServer.StartAsync(Options(_dir, Time, null));
        Http = new HttpClient { BaseAddress = Server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static SandboxOptions Options(string dir, FakeTimeProvider time, Action<SandboxOptions>? configure)
    {
        var o = new SandboxOptions { Port = 0, DatabasePath = Path.Combine(dir, "sandbox.db"), TimeProvider = time };
        configure?.Invoke(o);
        return o;
    }

    public SandboxSeed Seed => Server.Seed;

    public static string Key(PointOfSaleId pos) => SandboxSeed.Create(Start).PointOfSale(pos).InstallationKey;

    public Task<HttpResponseMessage> AuthenticateAsync(string appId, string secret, string env = "PRD") =>
        Http.PostAsJsonAsync("vem/v1/authenticate", new { env, appId, appSecret = secret });

    /// <summary>A VEM token of a point of sale (installation-key scheme).</summary>
    public async Task<string> TokenAsync(PointOfSaleId? pos = null)
    {
        var p = pos ?? SandboxSeed.MainTill;
        using var r = await AuthenticateAsync(p.ToString(), Seed.PointOfSale(p).InstallationKey);
        r.EnsureSuccessStatusCode();
        return r.Headers.GetValues("Authorization").Single();
    }

    public async Task<HttpResponseMessage> GetVemAsync(string resource, string token, PointOfSaleId? pos = null, string query = "")
    {
        var p = pos ?? SandboxSeed.MainTill;
        using var req = new HttpRequestMessage(HttpMethod.Get, $"vem/v1/{p.Crous}/{resource}/{p.ToPath()}{query}");
        req.Headers.TryAddWithoutValidation("Authorization", token);
        return await Http.SendAsync(req);
    }

    public async Task<HttpResponseMessage> PostTicketAsync(string token, string json, PointOfSaleId? pos = null, bool online = false)
    {
        var p = pos ?? SandboxSeed.MainTill;
        using var req = new HttpRequestMessage(HttpMethod.Post, $"vem/v1/{p.Crous}/remontee-caisse/tickets/{p.ToPath()}?versCommandeEnLigne={(online ? 1 : 0)}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        req.Headers.TryAddWithoutValidation("Authorization", token);
        return await Http.SendAsync(req);
    }

    public Task<HttpResponseMessage> PostTicketAsync(string token, VemTicket ticket, PointOfSaleId? pos = null, bool online = false) =>
        PostTicketAsync(token, JsonSerializer.Serialize(ticket, VemJson.Options), pos, online);

    /// <summary>A request to the Izly till API with Basic appId:cleIzly and AppIdentifier.</summary>
    public HttpRequestMessage Izly(HttpMethod method, string path, object? body = null, PointOfSaleId? pos = null, string? key = null)
    {
        var p = Seed.PointOfSale(pos ?? SandboxSeed.MainTill);
        var req = new HttpRequestMessage(method, path);
        req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{p.AppId}:{key ?? p.CleIzly}")));
        req.Headers.Add("AppIdentifier", p.AppId);
        if (body is not null)
        {
            req.Content = JsonContent.Create(body);
        }

        return req;
    }

    public async Task<HttpResponseMessage> DebitSupportAsync(string idSupport, long amount, string clientOrderId, PointOfSaleId? pos = null)
    {
        using var req = Izly(HttpMethod.Post, $"api/payments/debit/support/{Uri.EscapeDataString(idSupport)}",
            new { amount, clientOrderId, pointOfSale = (pos ?? SandboxSeed.MainTill).ToString() }, pos);
        return await Http.SendAsync(req);
    }

    public async Task<HttpResponseMessage> DebitQrAsync(string qrText, long amount, string clientOrderId)
    {
        using var req = Izly(HttpMethod.Post, $"api/payments/debit/qrcode/{Uri.EscapeDataString(SandboxServer.EncodeQrCode(qrText))}",
            new { amount, clientOrderId, pointOfSale = SandboxSeed.MainTill.ToString() });
        return await Http.SendAsync(req);
    }

    public async Task<HttpResponseMessage> SearchQrAsync(string qrText)
    {
        using var req = Izly(HttpMethod.Get, $"api/rightholders/searchQRCode?qrCode={Uri.EscapeDataString(SandboxServer.EncodeQrCode(qrText))}");
        return await Http.SendAsync(req);
    }

    /// <summary>The first error of a §7 body.</summary>
    public static async Task<(string Code, string Message, string? Field)> ErrorAsync(HttpResponseMessage r)
    {
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var e = doc.RootElement.GetProperty("errors")[0];
        return (e.GetProperty("code").GetString()!, e.GetProperty("message").GetString()!,
            e.GetProperty("field").ValueKind == JsonValueKind.Null ? null : e.GetProperty("field").GetString());
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage r)
    {
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>A coherent ticket: the €3.30 student meal paid by Izly card by Camille Martin (1000001).</summary>
    public VemTicket ValidTicket(string id = "140000011", int sequence = 1)
    {
        var local = TimeZoneInfo.ConvertTime(Time.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        return new VemTicket
        {
            IdTicketEntete = id,
            NumeroTicket = local.ToString("yyMMdd", CultureInfo.InvariantCulture) + sequence.ToString(CultureInfo.InvariantCulture),
            Date = Time.GetUtcNow(),
            VersionLogiciel = "1.4.0",
            ListeLignes = [new VemTicketLine { NumeroLigne = 1, CodeArticle = 1201, Quantite = 1, CodeTva = 1, PrixUnitaireHt = 3.13m, PrixUnitaireTtc = 3.30m, TotalHt = 3.13m, TotalTtc = 3.30m }],
            ListeReglements = [new VemPayment { CodeReglement = 9, Montant = 3.30m, IdSupport = "36000001", IdTransactionIzly = "88412", NumeroApplicatif = "04A1B2C3D40001" }],
            Complementaire = new VemComplement { CodeClient = "1000001", SoldeClient = 11.95m, CodeSocieteClient = 10, TarifClient = 1, IdSupport = "36000001", IdTypeDistribution = 1, IdLogiciel = 39 },
        };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
