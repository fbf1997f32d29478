using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Sandbox.Admin;
using Middleware.Sandbox.Faults;
using Middleware.Sandbox.Izly;
using Middleware.Sandbox.IzlyPay;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Storage;
using Middleware.Sandbox.Vem;
using Middleware.Sandbox.Whiz;

namespace Middleware.Sandbox;

/// <summary>
/// The local Crous VEM and Izly APIs (crous-izly-api.md §2 to §10) on Kestrel, loopback only, with its state in its
/// own SQLite file. Start it in-process with <see cref="StartAsync"/>, or standalone with
/// <c>dotnet run --project core/Sandbox -- --port 5080 --db sandbox.db</c>.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxState _state;
    private int _disposed;

    private SandboxServer(WebApplication app, SandboxState state, Uri baseUrl)
    {
        _app = app;
        _state = state;
        BaseUrl = baseUrl;
    }

    /// <summary>Root URL, e.g. <c>http://127.0.0.1:41234/</c>; VEM is under <c>vem/v1</c>, Izly under <c>api</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Fault injection (also under <c>/_sandbox/faults</c>).</summary>
    public SandboxFaults Faults => _state.Faults;

    /// <summary>The demo data: points of sale and keys, OAuth client, right holders, reference resources.</summary>
    public SandboxSeed Seed => _state.Seed;

    /// <summary>The SQLite file holding the state.</summary>
    public string DatabasePath => _state.Options.DatabasePath;

    /// <summary>Starts a sandbox on loopback; the port is <see cref="SandboxOptions.Port"/> (0 = a free one).</summary>
    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var state = new SandboxState(options, loggerFactory);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
                EnvironmentName = Environments.Production,
            });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(state.Faults);
            builder.Services.AddSingleton(state);
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, options.Port);
                k.AddServerHeader = false;
            });
            builder.Services.ConfigureHttpJsonOptions(j =>
            {
                j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
                j.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
            });
            var app = builder.Build();
            if (options.RequestObserver is { } observer)
            {
                app.Use(async (context, next) =>
                {
                    var start = System.Diagnostics.Stopwatch.GetTimestamp();
                    await next(context);
                    observer(new SandboxRequestTiming(context.Request.Method, context.Request.Path.Value ?? "/", context.Response.StatusCode, start,
                        System.Diagnostics.Stopwatch.GetElapsedTime(start)));
                });
            }

            app.UseMiddleware<FaultMiddleware>();
            VemEndpoints.Map(app, state);
            IzlyEndpoints.Map(app, state);
            IzlyPayEndpoints.Map(app, state);
            WhizEndpoints.Map(app, state);
            AdminEndpoints.Map(app, state);
            Tetra.TetraAdminEndpoints.Map(app, options.Tetra);
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var baseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
            state.BaseUrl = baseUrl;
            loggerFactory.CreateLogger<SandboxServer>().LogInformation("Sandbox listening on {BaseUrl}, state in {Database}", baseUrl, options.DatabasePath);
            return new SandboxServer(app, state, baseUrl);
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>The text of a valid Izly QR code of a right holder (what the phone shows), stamped now or at <paramref name="timestamp"/>.</summary>
    public string IssueQrCode(string identifier, DateTimeOffset? timestamp = null) =>
        _state.QrCodes.Issue(identifier, timestamp ?? _state.Time.GetUtcNow());

    /// <summary>The form in which a till sends a QR code (§5): standard base64 of the scanned text.</summary>
    public static string EncodeQrCode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Every token issued so far expires now (same as <see cref="SandboxFaults.ExpireTokensNowAsync"/>).</summary>
    public Task ExpireAllTokensAsync(CancellationToken ct = default) => _state.ExpireAllTokensAsync(ct);

    /// <summary>Revokes (or restores) a point of sale's installation key: authenticate and its tokens answer 403.</summary>
    public Task SetKeyRevokedAsync(PointOfSaleId pointOfSale, bool revoked, CancellationToken ct = default) =>
        _state.SetKeyRevokedAsync(pointOfSale.ToString(), revoked, ct);

    /// <summary>The live balance of a right holder, in cents.</summary>
    public async Task<long> GetBalanceAsync(string identifier, CancellationToken ct = default)
    {
        await using var c = _state.Db.Read();
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT balance FROM right_holders WHERE identifier=@identifier", new { identifier }, cancellationToken: ct))
            ?? throw new ArgumentException($"Unknown right holder {identifier}.", nameof(identifier));
    }

    /// <summary>Sets a right holder's balance (cents), e.g. to test a top-up.</summary>
    public Task SetBalanceAsync(string identifier, long cents, CancellationToken ct = default) =>
        _state.Db.WriteAsync((c, tx) => c.Execute("UPDATE right_holders SET balance=@cents WHERE identifier=@identifier", new { cents, identifier }, tx), ct);

    /// <summary>Sets a right holder's account and blocking statuses (§5 values).</summary>
    public Task SetStatusesAsync(string identifier, string accountStatus, string blockingStatus, CancellationToken ct = default) =>
        _state.Db.WriteAsync((c, tx) => c.Execute("UPDATE right_holders SET account_status=@accountStatus, blocking_status=@blockingStatus WHERE identifier=@identifier",
            new { identifier, accountStatus, blockingStatus }, tx), ct);

    /// <summary>The tickets stored, in arrival order, optionally of one point of sale.</summary>
    public async Task<IReadOnlyList<StoredTicket>> GetTicketsAsync(PointOfSaleId? pointOfSale = null, CancellationToken ct = default)
    {
        await using var c = _state.Db.Read();
        var rows = await c.QueryAsync<(string AppId, string Id, string Numero, long Online, string Received, string Body)>(new CommandDefinition(
            "SELECT app_id, id_ticket_entete, numero_ticket, vers_commande_en_ligne, received_at, body FROM tickets WHERE @appId IS NULL OR app_id=@appId ORDER BY rowid",
            new { appId = pointOfSale?.ToString() }, cancellationToken: ct));
        return [.. rows.Select(r => new StoredTicket(r.AppId, r.Id, r.Numero, r.Online != 0, DateTimeOffset.Parse(r.Received, CultureInfo.InvariantCulture),
            JsonSerializer.Deserialize<VemTicket>(r.Body, VemJson.Options)!, r.Body))];
    }

    /// <summary>The Izly debits, in order.</summary>
    public async Task<IReadOnlyList<StoredTransaction>> GetTransactionsAsync(CancellationToken ct = default)
    {
        await using var c = _state.Db.Read();
        var rows = await c.QueryAsync<TransactionRow>(new CommandDefinition("SELECT * FROM transactions ORDER BY id", cancellationToken: ct));
        return [.. rows.Select(ToStored)];
    }

    /// <summary>The IzlyPay web payments, in order.</summary>
    public Task<IReadOnlyList<StoredWebPayment>> GetWebPaymentsAsync(CancellationToken ct = default) => IzlyPayEndpoints.ListAsync(_state, ct);

    /// <summary>The Whiz orders, in order.</summary>
    public Task<IReadOnlyList<StoredWhizOrder>> GetWhizOrdersAsync(CancellationToken ct = default) => WhizEndpoints.ListAsync(_state, ct);

    /// <summary>Stops listening and closes the database (the file stays).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(cts.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            _state.Dispose();
        }
    }

    internal static StoredTransaction ToStored(TransactionRow r) => new(r.Id.ToString(CultureInfo.InvariantCulture), r.App_Id, r.Client_Order_Id, r.Identifier, r.Amount, r.Status,
        r.Balance_After, DateTimeOffset.Parse(r.Operation_Date, CultureInfo.InvariantCulture), r.Means, r.Id_Support, r.Sam_Id);
}
