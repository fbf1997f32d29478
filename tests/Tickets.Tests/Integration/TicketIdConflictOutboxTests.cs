using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Sending;
using Xunit;

namespace Middleware.Tickets.Tests.Integration;

/// <summary>
/// The outbox's side of a repeated idTicketEntete (exactly-once issue #12), against the real sandbox over HTTP: a 409
/// (another body under this id) ends Dead with VEM's reason and an alarm, never Sent; the same body ends Sent.
/// </summary>
public sealed class TicketIdConflictOutboxTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-tickets-409-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private SandboxHarness sandbox = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dir);
        sandbox = await SandboxHarness.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A store on its own file that numbers from 1 without asking VEM (a misconfigured StartAtOne after a lost store).</summary>
    private TicketFixture Store(string name)
    {
        var storeDir = Path.Combine(dir, name);
        Directory.CreateDirectory(storeDir);
        return new TicketFixture(directory: storeDir, time: time, catalog: sandbox.Seed, uploader: sandbox.Uploader);
    }

    private async Task SendFirstTicketAsync(TicketSale sale)
    {
        await using var first = Store("first");
        Assert.Equal("1", (await first.CommitAsync("a1", sale)).IdTicketEntete);
        Assert.Equal((1, 0), await first.DrainReadyAsync());
    }

    [Fact]
    public async Task Another_body_under_an_id_VEM_holds_ends_Dead_with_VEMs_reason_and_an_alarm()
    {
        await SendFirstTicketAsync(SandboxHarness.Sale(1));

        await using var second = Store("second");
        Assert.Equal("1", (await second.CommitAsync("b1", SandboxHarness.Sale(2))).IdTicketEntete);
        var log = new RecordingLogger();
        var sender = new TicketSender(second.Db, second.Options, sandbox.Uploader, time, log);
        var pass = await sender.SendPassAsync(CancellationToken.None);
        Assert.Equal((0, 1), (pass.Sent, pass.Dead));

        var dead = (await second.Service.GetDetailAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Record;
        Assert.Equal(TicketState.Dead, dead.State);
        Assert.Equal("-71", dead.ErrorCode);
        Assert.Contains("already belongs to another ticket", dead.LastError);
        var alarm = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("ALERT", alarm.Message);
        Assert.Contains("-71", alarm.Message);

        // Not retried as if transient: a later pass leaves it dead and VEM still holds only the first sale.
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal((0, 0), await second.DrainReadyAsync());
        Assert.Equal(TicketState.Dead, (await second.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.State);
        var held = Assert.Single(await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1));
        Assert.Equal("tx-1", held.Ticket.ListeReglements[0].IdTransactionIzly);
    }

    [Fact]
    public async Task The_same_body_under_an_id_VEM_holds_ends_Sent()
    {
        await SendFirstTicketAsync(SandboxHarness.Sale(1));

        // The same sale committed again at the same instant by a store that lost the first: the very same ticket.
        await using var second = Store("second");
        Assert.Equal("1", (await second.CommitAsync("a1", SandboxHarness.Sale(1))).IdTicketEntete);
        Assert.Equal((1, 0), await second.DrainReadyAsync());
        var record = (await second.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!;
        Assert.Equal(TicketState.Sent, record.State);
        Assert.Null(record.ErrorCode);
        Assert.Single(await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1));
    }

    private sealed class RecordingLogger : ILogger<TicketSender>
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
