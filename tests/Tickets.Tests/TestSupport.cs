using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Closing;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Numbering;
using Middleware.Tickets.Model;
using Middleware.Tickets.Sending;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Whiz;

namespace Middleware.Tickets.Tests;

/// <summary>Reference data: codeTva 1 = 10 %, 2 = 5.5 %, 3 = 20 %; articles 1201 meal (1), 1300 drink (3), 9001 subsidy (1), 9100 entry fee (1); profile (10,7) has tva 3.</summary>
internal sealed class TestCatalog : IReferenceCatalog
{
    public ConcurrentDictionary<int, int> Articles { get; } = new(new Dictionary<int, int> { [1201] = 1, [1300] = 3, [9001] = 1, [9100] = 1 });
    private readonly Dictionary<int, decimal> rates = new() { [1] = 10m, [2] = 5.5m, [3] = 20m };

    public bool ArticleExists(int codeArticle) => Articles.ContainsKey(codeArticle);
    public int? ArticleVatCode(int codeArticle) => Articles.TryGetValue(codeArticle, out var v) ? v : null;
    public decimal? VatRate(int codeTva) => rates.TryGetValue(codeTva, out var r) ? r : null;
    // (10,7): a student profile with a VAT code of its own, which lines never take; (8000,7): a non-student one, 20 %.
    public int? ProfileVatCode(int codeSociete, int codeTarif) => (codeSociete, codeTarif) is (10, 7) or (8000, 7) ? 3 : null;

    /// <summary>As the sandbox's caisse gives it: every ticket needs it.</summary>
    public int? IdLogiciel => 39;
}

/// <summary>Records uploads; its behaviour is a function the test sets.</summary>
internal sealed class RecordingUploader : ITicketUploader
{
    public ConcurrentQueue<(PointOfSaleId Pos, VemTicket Ticket, bool Online)> Calls { get; } = new();
    public Func<PointOfSaleId, VemTicket, TicketUploadResponse> Behaviour { get; set; } = (_, _) => TicketUploadResponse.Integrated;

    public Task<TicketUploadResponse> UploadAsync(PointOfSaleId pointOfSale, VemTicket ticket, bool onlineOrder, CancellationToken cancellationToken)
    {
        Calls.Enqueue((pointOfSale, ticket, onlineOrder));
        return Task.FromResult(Behaviour(pointOfSale, ticket));
    }

    public List<string> IdsFor(PointOfSaleId pos) => Calls.Where(c => c.Pos == pos).Select(c => c.Ticket.IdTicketEntete).ToList();
}

internal sealed class RecordingWhiz : IWhizClient
{
    private int next;
    public bool Down { get; set; }
    public ConcurrentQueue<(PointOfSaleId Pos, WhizOrderRequest Order)> Orders { get; } = new();
    public ConcurrentQueue<(string IdCommande, string Status)> Statuses { get; } = new();

    public Task<WhizOrderCreatedResponse> CreateOrderAsync(PointOfSaleId pointOfSale, WhizOrderRequest order, CancellationToken cancellationToken)
    {
        if (Down)
        {
            throw new HttpRequestException("Whiz unreachable");
        }

        Orders.Enqueue((pointOfSale, order));
        var n = Interlocked.Increment(ref next);
        return Task.FromResult(new WhizOrderCreatedResponse("cmd-" + n, (100 + n).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    public Task UpdateStatusAsync(PointOfSaleId pointOfSale, string idCommande, string status, CancellationToken cancellationToken)
    {
        if (Down)
        {
            throw new HttpRequestException("Whiz unreachable");
        }

        Statuses.Enqueue((idCommande, status));
        return Task.CompletedTask;
    }
}

/// <summary>A ticket store on a fresh real SQLite file, with a fake clock.</summary>
internal sealed class TicketFixture : IAsyncDisposable
{
    public static readonly PointOfSaleId Pos1 = PointOfSaleId.Parse("5-1-9-8-14");
    public static readonly PointOfSaleId Pos2 = PointOfSaleId.Parse("5-1-9-8-15");

    private readonly bool ownsDirectory;

    public TicketFixture(string? directory = null, FakeTimeProvider? time = null, ITicketMapper? mapper = null, TicketsOptions? options = null, IReferenceCatalog? catalog = null, ITicketUploader? uploader = null, INumberingOriginSource? origins = null)
    {
        Origins = origins;
        ReferenceCatalog = catalog ?? Catalog;
        ActiveUploader = uploader ?? Uploader;
        ownsDirectory = directory is null;
        Directory = directory ?? Path.Combine(Path.GetTempPath(), "mw-tickets-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2020, 3, 18, 9, 0, 0, TimeSpan.Zero));
        Options = options ?? new TicketsOptions { VersionLogiciel = "1.4.0", IdLogiciel = 39, InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromMinutes(5) };
        Options.DatabasePath = Path.Combine(Directory, "tickets.db");
        if (origins is null)
        {
            // No VEM to ask where numbering starts: these tests number fresh points of sale from 1.
            Options.UnknownNumberingOrigin = UnknownNumberingOrigin.StartAtOne;
        }

        Mapper = mapper ?? DefaultTicketMapper.Instance;
        Open();
    }

    public string Directory { get; }
    public INumberingOriginSource? Origins { get; }
    public FakeTimeProvider Time { get; }
    public TicketsOptions Options { get; }
    public TestCatalog Catalog { get; } = new();
    public IReferenceCatalog ReferenceCatalog { get; }
    public ITicketUploader ActiveUploader { get; }
    public RecordingUploader Uploader { get; } = new();
    public RecordingWhiz Whiz { get; } = new();
    public ITicketMapper Mapper { get; set; }
    public OutboxSignal Signal { get; } = new();
    internal TicketDatabase Db { get; private set; } = null!;
    internal TicketService Service { get; private set; } = null!;
    internal TicketSender Sender { get; private set; } = null!;
    internal WhizQueue WhizQueue { get; private set; } = null!;
    internal JournalWriter JournalWriter { get; private set; } = null!;
    internal JournalService Journal { get; private set; } = null!;
    internal ClosingService Closings { get; private set; } = null!;
    public JournalOptions JournalOptions => new()
    {
        SigningKeyFile = Path.Combine(Directory, "journal.key"),
        HeadFile = Path.Combine(Directory, "journal.head"),
        ArchiveDirectory = Path.Combine(Directory, "archives"),
    };

    /// <summary>The open items the payments would report at a closing (none unless a test adds some).</summary>
    public List<OpenItem> PaymentOpenItems { get; } = [];

    private void Open()
    {
        Db = new TicketDatabase(Options.DatabasePath);
        var jo = JournalOptions;
        var key = JournalSigningKey.LoadOrCreate(jo.SigningKeyFile);
        JournalWriter = new JournalWriter(key, new JournalHeadAnchor(jo.HeadFile!, key));
        Journal = new JournalService(Db, JournalWriter, jo, Time);
        Closings = new ClosingService(Db, JournalWriter, Options, new FixedReferenceCatalogSource(ReferenceCatalog), Time, new ListOpenItems(this), archiveDirectory: jo.ArchiveDirectory);
        Service = new TicketService(Db, Options, new DelegatingMapper(this), new FixedReferenceCatalogSource(ReferenceCatalog), Time, Signal, vemOrigins: Origins, journal: JournalWriter);
        Sender = new TicketSender(Db, Options, ActiveUploader, Time, NullLogger<TicketSender>.Instance);
        WhizQueue = new WhizQueue(Db, Options, Signal, NullLogger<WhizQueue>.Instance);
    }

    /// <summary>Closes and reopens the store on the same file (a restart).</summary>
    public async Task RestartAsync()
    {
        await Service.DisposeAsync();
        Open();
    }

    public Task<TicketReceipt> CommitAsync(string requestId, TicketSale? sale = null, PointOfSaleId? pos = null) =>
        Service.CommitAsync(pos ?? Pos1, requestId, sale ?? Sales.Meal(), CancellationToken.None);

    /// <summary>Sender passes until nothing is ready now.</summary>
    public async Task<(int Sent, int Dead)> DrainReadyAsync()
    {
        int sent = 0, dead = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var r = await Sender.SendPassAsync(CancellationToken.None);
            sent += r.Sent;
            dead += r.Dead;
            if (!r.MoreReady)
            {
                break;
            }
        }

        return (sent, dead);
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class ListOpenItems(TicketFixture owner) : IClosingOpenItemsSource
    {
        public Task<IReadOnlyList<OpenItem>> ListAsync(string? pointOfSale, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OpenItem>>([.. owner.PaymentOpenItems.Where(i => pointOfSale is null || i.PointOfSale == pointOfSale)]);
    }

    private sealed class DelegatingMapper(TicketFixture owner) : ITicketMapper
    {
        public VemTicket Map(TicketMappingContext context) => owner.Mapper.Map(context);
    }
}

internal static class Sales
{
    /// <summary>An Izly card sale: meal 3.30, entry fee 0.50, €1 subsidy = 2.80.</summary>
    public static TicketSale Meal(Distribution? distribution = Distribution.OnSite) => new()
    {
        Lines =
        [
            new SaleLine { CodeArticle = 1201, UnitPriceTtc = 3.30m, Label = "Menu", LoyaltyGain = 2 },
            SaleLine.EntryFee(9100, 0.50m),
            SaleLine.Subsidy(9001, 1.00m),
        ],
        Payment = new SalePayment { CodeReglement = CodeReglement.Izly, IdSupport = "36000000", IdTransactionIzly = "88412", NumeroApplicatif = "04A1B2C3D4E5F6" },
        Customer = new SaleCustomer { CodeClient = "c-42", Name = "Dupont", BalanceAfter = 15.25m, CodeSociete = 10, Tarif = 1, CodeCrous = 5, IdSupport = "36000000" },
        LoyaltyBalance = 12,
        Distribution = distribution,
    };

    public static TicketSale UnknownArticle() => Meal() with { Lines = [new SaleLine { CodeArticle = 4242, UnitPriceTtc = 3.30m }] };
}
