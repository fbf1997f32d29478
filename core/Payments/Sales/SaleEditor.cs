using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Customers;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Sales;

/// <summary>Everything a till does to an open sale before paying: open it, fill the basket, name the customer, cancel it.</summary>
internal sealed class SaleEditor(
    SaleStore store,
    SaleTransitions transitions,
    ISalePricer pricer,
    ChannelInvoker channels,
    RecentTaps taps,
    IOptions<SalesOptions> options,
    IOptionsMonitor<List<PointOfSaleOptions>> pointsOfSale,
    TimeProvider time,
    ILogger logger)
{
    private readonly SalesOptions _options = options.Value;

    public async Task<Sale> OpenAsync(PointOfSaleId pointOfSale, Guid requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sale = new Sale
        {
            Id = Guid.NewGuid().ToString("N"),
            PointOfSale = pointOfSale.ToString(),
            OpenRequestId = requestId.ToString("D"),
            State = SaleState.Open,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await store.InsertOrGetAsync(sale, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the basket (and the distribution type) and prices it for the current customer.</summary>
    public async Task<Sale> SetBasketAsync(PointOfSaleId pointOfSale, string saleId, Basket basket, int distribution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(basket);
        if (distribution is not (1 or 2))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "distribution (the ticket's idTypeDistribution) must be 1 (on site) or 2 (take-away).");
        }

        if (!AllQuantitiesPositive(basket.Lines))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Every basket line needs a positive quantity.");
        }

        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return await RepriceAndSaveAsync(sale with { Basket = basket, Distribution = distribution }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the profile of a customer who does not identify with Izly (e.g. a guest paying by CB).</summary>
    public async Task<Sale> SetProfileAsync(PointOfSaleId pointOfSale, string saleId, int codeSociete, int codeTarif, CancellationToken cancellationToken)
    {
        if (_options.AllowedProfiles() is not { } allowed || !allowed.Contains((codeSociete, codeTarif)))
        {
            // A student price without proof would be a discount anyone could give: it needs the card or the QR code.
            throw new MiddlewareException(ErrorCode.InvalidRequest,
                $"Profile {codeSociete}/{codeTarif} cannot be set without an Izly identification (Sales:ProfilesWithoutIdentification allows {string.Join(", ", _options.ProfilesInForce)}): identify the customer by card or QR code.");
        }

        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var profile = new CustomerProfile { CodeSociete = codeSociete, CodeTarif = codeTarif };
        return await RepriceAndSaveAsync(sale with { AnonymousProfile = profile, Identification = null }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Identifies the customer by the card last read on one of the point of sale's readers.</summary>
    public async Task<Sale> IdentifyByCardAsync(PointOfSaleId pointOfSale, string saleId, string? readerName, CancellationToken cancellationToken)
    {
        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var readers = ReadersOf(pointOfSale);
        if (readerName is not null)
        {
            readers = readers.Contains(readerName, StringComparer.Ordinal)
                ? [readerName]
                : throw new MiddlewareException(ErrorCode.UnknownReader, $"Reader '{readerName}' is not configured for {pointOfSale}.");
        }

        var tap = taps.Latest(readers, time.GetUtcNow(), _options.TapValidity)
            ?? throw new MiddlewareException(ErrorCode.NoCard, "No card was read on this till's readers recently.");
        CheckAuthenticated(pointOfSale, sale.Id, tap.Card);
        var medium = new CardMedium(tap.Card);
        var holder = await IdentifyAsync(pointOfSale, medium, cancellationToken).ConfigureAwait(false);
        taps.Consume(tap);
        var identification = new SaleIdentification
        {
            Channel = medium.Channel,
            Holder = holder,
            Card = tap.Card,
            Customer = AccountRules.ToView(holder, medium.Channel),
            Profile = AccountRules.ToProfile(holder),
        };
        return await RepriceAndSaveAsync(sale with { Identification = identification }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Identifies the customer by the text of an Izly QR code scanned by the till.</summary>
    public async Task<Sale> IdentifyByQrCodeAsync(PointOfSaleId pointOfSale, string saleId, string scannedText, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(scannedText))
        {
            throw new MiddlewareException(ErrorCode.QrCodeInvalid, "Empty QR code.");
        }

        var sale = await OpenSaleAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        var medium = new QrMedium(scannedText.Trim());
        var holder = await IdentifyAsync(pointOfSale, medium, cancellationToken).ConfigureAwait(false);
        var identification = new SaleIdentification
        {
            Channel = medium.Channel,
            Holder = holder,
            QrText = medium.ScannedText,
            Customer = AccountRules.ToView(holder, medium.Channel),
            Profile = AccountRules.ToProfile(holder),
        };
        return await RepriceAndSaveAsync(sale with { Identification = identification }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Abandons an open sale (nothing was paid).</summary>
    public async Task<Sale> CancelAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await transitions.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        if (sale.State == SaleState.Cancelled)
        {
            return sale;
        }

        var cancelled = sale with { State = SaleState.Cancelled, UpdatedAt = time.GetUtcNow() };
        return sale.State == SaleState.Open && await store.TryUpdateAsync(cancelled, SaleState.Open, cancellationToken).ConfigureAwait(false) is { } done
            ? done
            : throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"A {sale.State} sale cannot be cancelled; cancel its payment instead.");
    }

    private async Task<RightHolder> IdentifyAsync(PointOfSaleId pointOfSale, PaymentMedium medium, CancellationToken cancellationToken)
    {
        var holder = await channels.InvokeAsync<IPaymentChannelPlugin, RightHolder>(medium.Channel,
            (p, ct) => p.IdentifyAsync(pointOfSale.ToString(), medium, ct), cancellationToken).ConfigureAwait(false);
        AccountRules.EnsureCanPay(holder, time.GetUtcNow());
        return holder;
    }

    private async Task<Sale> OpenSaleAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await transitions.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return sale.State == SaleState.Open
            ? sale
            : throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}; it can no longer change.");
    }

    private async Task<Sale> RepriceAndSaveAsync(Sale sale, CancellationToken cancellationToken)
    {
        var pricing = sale.Basket.IsEmpty
            ? null
            : await pricer.PriceAsync(PointOfSaleId.Parse(sale.PointOfSale), sale.Basket, sale.Profile, null, cancellationToken).ConfigureAwait(false);
        return await transitions.MoveAsync(sale, SaleState.Open, s => sale with { Pricing = pricing }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A card read without a SAM (nothing proves it genuine) is logged, and refused where the site says so.</summary>
    private void CheckAuthenticated(PointOfSaleId pointOfSale, string saleId, Contracts.Readers.CardIdentity card)
    {
        if (card.Authenticated)
        {
            return;
        }

        var refused = _options.RefuseUnauthenticatedCardsAt.Any(p => PointOfSaleId.TryParse(p, out var id) && id == pointOfSale);
        SaleLog.UnauthenticatedCard(logger, saleId, pointOfSale.ToString(), card.MaskedIdSupport, card.Technology.ToString(), refused ? "refused" : "accepted");
        if (refused)
        {
            throw new MiddlewareException(ErrorCode.CardAuthenticationFailed, $"Point of sale {pointOfSale} does not accept cards read without a SAM ({card.Technology}).");
        }
    }

    private static bool AllQuantitiesPositive(IReadOnlyList<Scripting.Globals.BasketLine> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Quantity <= 0)
            {
                return false;
            }
        }

        return true;
    }

    private IReadOnlyList<string> ReadersOf(PointOfSaleId pointOfSale) =>
        pointsOfSale.CurrentValue.FirstOrDefault(p => PointOfSaleId.TryParse(p.Id, out var id) && id == pointOfSale)?.Readers
        ?? throw new MiddlewareException(ErrorCode.UnknownPointOfSale, $"Point of sale {pointOfSale} is not configured.");
}
