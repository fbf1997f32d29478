using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Api;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Payments.Journal;
using Middleware.Sandbox;

namespace Middleware.Payments.Tests.Journal;

/// <summary>
/// An Izly debit answered by an unexpected non-2xx (a proxy's 404, a 409, a 502) is an unknown outcome settled by asking
/// Izly for the order, never a final refusal (exactly-once issue #12). Real parts: the real sandbox over HTTP with its
/// fault injection, the real Izly client of core/Api, a real SQLite journal.
/// </summary>
public sealed class UnexpectedDebitAnswerTests : IAsyncLifetime
{
    private const string Pos = "5-1-9-8-14";
    private const string Holder = "1000001"; // card 36000001, 15.25 € in the seed

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "payments-izly-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly PaymentOptions _options = new();
    private SandboxServer _sandbox = null!;
    private ServiceProvider _provider = null!;
    private IIzlyGateway _izly = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _options.DatabasePath = Path.Combine(_dir, "payments.db");
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(_dir, "sandbox.db") });
        var secrets = Path.Combine(_dir, "secrets.json");
        await File.WriteAllTextAsync(secrets, JsonSerializer.Serialize(new
        {
            vemInstallationKeys = _sandbox.Seed.PointsOfSale.ToDictionary(p => p.AppId, p => p.InstallationKey),
        }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CrousApis:Vem:BaseUrl"] = _sandbox.BaseUrl.ToString(),
            ["CrousApis:Vem:Timeout"] = "00:00:05",
            ["CrousApis:Izly:BaseUrl"] = _sandbox.BaseUrl.ToString(),
            ["CrousApis:Izly:Timeout"] = "00:00:05",
            ["CrousApis:Izly:DebitTimeout"] = "00:00:05",
            // No retry: each injected fault is seen exactly once, as the test says.
            ["CrousApis:Izly:Retry:MaxRetries"] = "0",
            ["CrousApis:Secrets:File"] = secrets,
        }).Build();
        _provider = new ServiceCollection().AddLogging().AddCrousApis(config).BuildServiceProvider();
        _izly = _provider.GetRequiredService<IIzlyGateway>();
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private PaymentProcessor NewProcessor(PaymentJournal journal) =>
        new(journal, _izly, _time, Options.Create(_options), NullLogger<PaymentProcessor>.Instance);

    private static PaymentCommand Command(Guid requestId) =>
        new(Pos, requestId, "sale-1", 3.30m, new CardMedium(new CardIdentity("36000001", "04A1B2C3D40001", CardTechnology.Desfire, "test reader", "SAM-01", true)), null);

    [Theory]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(502)]
    public async Task A_debit_answered_an_unexpected_status_before_Izly_is_unknown_then_refused_only_after_the_settle_delay(int status)
    {
        var journal = new PaymentJournal(_options.DatabasePath, _time);
        var processor = NewProcessor(journal);
        var requestId = Guid.NewGuid();
        _sandbox.Faults.FailNext(1, "/api/payments*", status, "POST");

        var first = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);

        // Not refused: Izly was asked for the order and does not have it yet, which proves nothing so soon.
        Assert.Equal(PaymentState.Unknown, first.State);
        Assert.Equal((int)ErrorCode.PaymentOutcomeUnknown, first.ErrorCode);
        Assert.Equal(PaymentState.Unknown, (await journal.GetAsync(Pos, requestId, default))!.State);
        Assert.Empty(await _sandbox.GetTransactionsAsync());
        Assert.Equal(1525, await _sandbox.GetBalanceAsync(Holder));

        // The same request again asks Izly, never debits: still unknown, still no transaction.
        Assert.Equal(PaymentState.Unknown, (await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default)).State);
        Assert.Empty(await _sandbox.GetTransactionsAsync());

        // Past the settle delay, recovery finds the order's absence and only then refuses.
        _time.Advance(_options.SettleDelay + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await processor.RecoverOpenAsync(default));
        var settled = (await journal.GetAsync(Pos, requestId, default))!;
        Assert.Equal(PaymentState.Refused, settled.State);
        Assert.Equal((int)ErrorCode.PaymentRefused, settled.ErrorCode);
        Assert.Empty(await _sandbox.GetTransactionsAsync());
    }

    [Theory]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(502)]
    public async Task A_debit_Izly_made_but_answered_an_unexpected_status_is_unknown_then_recovered_by_client_order_id(int status)
    {
        var journal = new PaymentJournal(_options.DatabasePath, _time);
        var processor = NewProcessor(journal);
        var requestId = Guid.NewGuid();
        // Izly debits, the answer comes back as an error; the immediate status query fails too, so the journal keeps Unknown.
        _sandbox.Faults.FailAfterCommitNext(1, "/api/payments/debit/*", status, "POST");
        _sandbox.Faults.FailNext(1, "/api/payments/byClientOrderId/*", 503, "GET");

        var first = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);

        Assert.Equal(PaymentState.Unknown, first.State);
        Assert.Equal((int)ErrorCode.PaymentOutcomeUnknown, first.ErrorCode);
        var made = Assert.Single(await _sandbox.GetTransactionsAsync());
        Assert.Equal(first.ClientOrderId, made.ClientOrderId);

        // Recovery asks Izly by client order id and records the debit Izly made, with its transaction and balance.
        Assert.Equal(1, await processor.RecoverOpenAsync(default));
        var settled = (await journal.GetAsync(Pos, requestId, default))!;
        Assert.Equal(PaymentState.Approved, settled.State);
        Assert.Equal(made.IdTransactionIzly, settled.IdTransactionIzly);
        Assert.Equal(made.BalanceAfterCents / 100m, settled.BalanceAfter);
        Assert.Equal(1195, await _sandbox.GetBalanceAsync(Holder));

        // A repeat returns the recorded debit: never a second one.
        var again = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        Assert.Equal((PaymentState.Approved, made.IdTransactionIzly), (again.State, again.IdTransactionIzly));
        Assert.Single(await _sandbox.GetTransactionsAsync());
        Assert.Equal(1195, await _sandbox.GetBalanceAsync(Holder));
    }

    [Fact]
    public async Task Izlys_own_refusal_stays_final_at_once()
    {
        // The counterpart: a real refusal (insufficient balance, Izly's error body) is final without waiting.
        await _sandbox.SetBalanceAsync(Holder, 100);
        var processor = NewProcessor(new PaymentJournal(_options.DatabasePath, _time));
        var refused = await processor.DebitAsync(Command(Guid.NewGuid()), _izly.DebitAsync, default);
        Assert.Equal(PaymentState.Refused, refused.State);
        Assert.Equal((int)ErrorCode.InsufficientBalance, refused.ErrorCode);
        Assert.Empty(await _sandbox.GetTransactionsAsync());
    }
}
