using System.Globalization;
using System.Text.Json;
using Middleware.Client;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;

namespace Middleware.Chaos.Tests;

/// <summary>
/// A till as a careful vendor writes it: every mutating call carries a requestId and is resent with the same one until
/// the middleware answers (across lost connections and host restarts); a 1402 is never paid again but polled until the
/// sale is Committed or Open; a refused Izly payment is taken by CB. It plays QR, CB, IzlyPay and refunded sales.
/// </summary>
internal sealed class SimulatedTill(ChaosTill till, HostProcess host, SandboxProcess sandbox, TillLedger ledger, int seed)
{
    private static readonly int[] Articles = [1201, 3101, 5101, 6101, 4101];
    private static readonly TimeSpan CallDeadline = TimeSpan.FromMinutes(4);
    private readonly Random _random = new(seed);
    private MiddlewareClient? _client;

    public int SalesDone { get; private set; }

    /// <summary>Sells until <paramref name="stop"/> (the current sale is always finished).</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var roll = _random.NextDouble();
                var kind = till.Reader is not null && roll < 0.5 ? SaleKind.Card
                    : roll < 0.55 ? SaleKind.Qr : roll < 0.75 ? SaleKind.Cb : roll < 0.92 ? SaleKind.IzlyPay : SaleKind.QrRefund;
                await OneSaleAsync(kind, abort);
                SalesDone++;
            }
        }
        finally
        {
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
        }
    }

    private async Task OneSaleAsync(SaleKind kind, CancellationToken ct)
    {
        var sale = new SaleRecord(till.PointOfSale, kind);
        ledger.Sales.Enqueue(sale);
        var open = await MutateAsync("sale.open", [], ct);
        if (!open.Ok)
        {
            Anomaly(sale, $"sale.open answered {open.Text}");
            return;
        }

        sale.SaleId = open.Result.GetProperty("saleId").GetString()!;
        var lines = Enumerable.Range(0, 1 + _random.Next(3)).Select(_ => new { codeArticle = Articles[_random.Next(Articles.Length)], quantity = 1 + _random.Next(2) }).ToArray();
        var basket = await MutateAsync("sale.setBasket", new() { ["saleId"] = sale.SaleId, ["lines"] = lines }, ct);
        if (!basket.Ok)
        {
            Anomaly(sale, $"sale.setBasket answered {basket.Text}");
            await CancelAsync(sale, ct);
            return;
        }

        switch (kind)
        {
            case SaleKind.Qr or SaleKind.QrRefund:
                if (!await IdentifyQrAsync(sale, ct))
                {
                    ledger.Count("QR identification failed (Izly unreachable): sale cancelled");
                    await CancelAsync(sale, ct);
                    return;
                }

                var rid = await PayIzlyAsync(sale, ct);
                if (kind == SaleKind.QrRefund && rid is { } paid && sale.FinalState == "Committed" && sale.PaymentMethod == "izly")
                {
                    await RefundAsync(sale, paid, ct);
                }

                break;
            case SaleKind.Card:
                await using (var card = await TapCardAsync(sale, ct))
                {
                    if (card is null)
                    {
                        ledger.Count("card not read (reader or pcscd down): sale cancelled");
                        await CancelAsync(sale, ct);
                        return;
                    }

                    await PayIzlyAsync(sale, ct);
                }

                break;
            case SaleKind.Cb:
                await SetProfileAsync(sale, 8000, 1, ct);
                await PayCbAsync(sale, ct);
                break;
            case SaleKind.IzlyPay:
                await SetProfileAsync(sale, 8024, 1, ct);
                await PayWebAsync(sale, ct);
                break;
        }
    }

    private async Task<bool> IdentifyQrAsync(SaleRecord sale, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            var qr = await sandbox.IssueQrAsync(till.Customer, ct);
            var answer = await MutateAsync("sale.identifyQr", new() { ["saleId"] = sale.SaleId, ["qrCode"] = qr }, ct);
            if (answer.Ok)
            {
                return true;
            }

            // Izly or the QR channel unavailable for a moment (a fault, a reload): the cashier scans again.
            if (answer.Code is 1100 or 1101 or 1102 or 1701 or 1311 or 1312)
            {
                ledger.Count($"identifyQr {answer.Code}: scanned again");
                await Task.Delay(300 * attempt, ct);
                continue;
            }

            Anomaly(sale, $"sale.identifyQr answered {answer.Text}");
            return false;
        }

        return false;
    }

    /// <summary>
    /// The customer puts the card on the till's reader (a virtual DESFire card on vpcd, read by the host through pcscd)
    /// and the cashier presses "identify" until the middleware has read it. Returns the card's slot (dispose to lift the
    /// card), or null when the card could not be read (pcscd restarting, the reader plugin reloading).
    /// </summary>
    private async Task<VpcdCardSlot?> TapCardAsync(SaleRecord sale, CancellationToken ct)
    {
        var zdc = new ZdcDescription
        {
            IdSupport = (36000000 + till.HolderNumber).ToString(CultureInfo.InvariantCulture),
            NumeroApplicatif = $"04A1B2C3D4{till.HolderNumber:X4}",
            Crous = 5,
            CreationDate = new DateOnly(2024, 9, 2),
        };
        for (var tap = 1; tap <= 3; tap++)
        {
            VpcdCardSlot slot;
            try
            {
                var card = IzlyVirtualCards.FromZdc(zdc, Convert.FromHexString(zdc.NumeroApplicatif), new IzlyCardKeys(DemoSamKeys.DesfireReadMasterKey));
                slot = await VpcdCardSlot.InsertAsync(card, till.VpcdPort, connectTimeout: TimeSpan.FromSeconds(10), cancellationToken: ct);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or IOException && !ct.IsCancellationRequested)
            {
                ledger.Count("vpcd not listening (pcscd restarting): card tapped again");
                await Task.Delay(1000, ct);
                continue;
            }

            for (var press = 1; press <= 20; press++)
            {
                var answer = await MutateAsync("sale.identifyCard", new() { ["saleId"] = sale.SaleId, ["reader"] = till.Reader }, ct);
                if (answer.Ok)
                {
                    return slot;
                }

                if (answer.Code is 1206 or 1100 or 1101 or 1102 or 1110 or 1701)
                {
                    // Not read yet (or the reader plugin, Izly, reloading): the cashier presses again.
                    await Task.Delay(250, ct);
                    if (!slot.IsInserted)
                    {
                        break; // vpcd went away with pcscd: tap again
                    }

                    continue;
                }

                Anomaly(sale, $"sale.identifyCard answered {answer.Text}");
                await slot.DisposeAsync();
                return null;
            }

            ledger.Count("card not identified in 5 s: lifted and tapped again");
            await slot.DisposeAsync();
        }

        return null;
    }

    private async Task SetProfileAsync(SaleRecord sale, int societe, int tarif, CancellationToken ct)
    {
        var answer = await MutateAsync("sale.setProfile", new() { ["saleId"] = sale.SaleId, ["codeSociete"] = societe, ["codeTarif"] = tarif }, ct);
        if (!answer.Ok)
        {
            Anomaly(sale, $"sale.setProfile answered {answer.Text}");
        }
    }

    /// <returns>The requestId of the payment that committed the sale by Izly, if one did.</returns>
    private async Task<Guid?> PayIzlyAsync(SaleRecord sale, CancellationToken ct)
    {
        var rid = Guid.NewGuid();
        sale.PaymentRequestIds.Add(rid);
        var answer = await MutateAsync("sale.pay", new() { ["saleId"] = sale.SaleId, ["method"] = "izly" }, ct, rid);
        if (answer.Ok)
        {
            return await FollowAsync(sale, answer.Result, ct) ? rid : null;
        }

        switch (answer.Code)
        {
            case 1402:
                // Outcome unknown: never pay again; poll until the middleware settles it.
                ledger.Count("sale.pay 1402: polled until settled");
                return await PollAsync(sale, ct) ? rid : null;
            case 1503:
                sale.FinalState = "PaidNoTicket";
                ledger.Count("sale PaidNoTicket (1503): left to support");
                return null;
            case 1400 or 1401 or (>= 1300 and <= 1312):
                ledger.Count($"sale.pay {answer.Code}: taken by CB");
                await PayCbAsync(sale, ct);
                return null;
            case 1100 or 1101 or 1102 or 1701:
                ledger.Count($"sale.pay {answer.Code}: taken by CB");
                var state = await GetStateAsync(sale, ct);
                if (state == "Open")
                {
                    await PayCbAsync(sale, ct);
                    return null;
                }

                return await PollAsync(sale, ct) ? rid : null;
            default:
                Anomaly(sale, $"sale.pay izly answered {answer.Text}");
                return await PollAsync(sale, ct) ? rid : null;
        }
    }

    private async Task PayCbAsync(SaleRecord sale, CancellationToken ct)
    {
        var answer = await MutateAsync("sale.pay", new() { ["saleId"] = sale.SaleId, ["method"] = "cb" }, ct);
        if (answer.Ok)
        {
            await FollowAsync(sale, answer.Result, ct);
            return;
        }

        Anomaly(sale, $"sale.pay cb answered {answer.Text}");
    }

    private async Task PayWebAsync(SaleRecord sale, CancellationToken ct)
    {
        var rid = Guid.NewGuid();
        sale.PaymentRequestIds.Add(rid);
        var start = await MutateAsync("izlypay.start", new() { ["saleId"] = sale.SaleId }, ct, rid);
        if (!start.Ok)
        {
            if (start.Code is 1100 or 1101 or 1102 or 1401 or 1701)
            {
                ledger.Count($"izlypay.start {start.Code}: taken by CB");
                if (await GetStateAsync(sale, ct) == "Open")
                {
                    await PayCbAsync(sale, ct);
                    return;
                }
            }
            else
            {
                Anomaly(sale, $"izlypay.start answered {start.Text}");
            }

            await PollAsync(sale, ct);
            return;
        }

        var url = new Uri(start.Result.GetProperty("paymentUrl").GetString()!);
        if (!await ConfirmOnIzlyAsync(url, ct))
        {
            ledger.Count("IzlyPay page unreachable: customer gave up (the payment times out)");
        }

        await PollAsync(sale, ct);
    }

    // The customer on Izly's pages: open the link, log in, confirm (the sandbox's real HTML forms).
    private async Task<bool> ConfirmOnIzlyAsync(Uri url, CancellationToken ct)
    {
        using var browser = sandbox.NewBrowser();
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        var session = query["s"] ?? "";
        var path = url.AbsolutePath;
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            try
            {
                using var page = await browser.GetAsync(path + url.Query, ct);
                var html = await page.Content.ReadAsStringAsync(ct);
                if (!html.Contains("login-form", StringComparison.Ordinal))
                {
                    return true; // already settled
                }

                using var login = await browser.PostAsync(path + "/login", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["s"] = session, ["login"] = till.Customer, ["password"] = "Izly-sandbox-1",
                }), ct);
                if (!login.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"login {(int)login.StatusCode}");
                }

                using var confirm = await browser.PostAsync(path + "/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["s"] = session, ["action"] = "confirm" }), ct);
                if ((int)confirm.StatusCode is >= 200 and < 400)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // A fault of the sandbox's (5xx, latency): the customer presses again.
            }

            await Task.Delay(500 * attempt, ct);
        }

        return false;
    }

    private async Task RefundAsync(SaleRecord sale, Guid payment, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var answer = await MutateAsync("payment.cancel", new() { ["paymentRequestId"] = payment.ToString("D") }, ct);
            if (answer.Ok)
            {
                if (answer.Result.GetProperty("state").GetString() == "Cancelled")
                {
                    sale.RefundedPayment = payment;
                }
                else
                {
                    Anomaly(sale, $"payment.cancel answered {answer.Text}");
                }

                return;
            }

            if (answer.Code is 1701 or 1100 or 1101 or 1102)
            {
                ledger.Count($"payment.cancel {answer.Code}: tried again");
                await Task.Delay(500 * attempt, ct);
                continue;
            }

            if (answer.Code == 1404)
            {
                sale.RefundRefused = payment;
            }

            Anomaly(sale, $"payment.cancel answered {answer.Text}");
            return;
        }

        ledger.Count("payment.cancel: Izly unreachable, not refunded");
    }

    /// <summary>Records a sale answer; when it is not final yet, polls. True when the sale is Committed.</summary>
    private async Task<bool> FollowAsync(SaleRecord sale, JsonElement answer, CancellationToken ct)
    {
        var state = answer.GetProperty("state").GetString();
        if (state == "Committed")
        {
            Commit(sale, answer);
            return true;
        }

        return state is "Paying" or "Paid" ? await PollAsync(sale, ct) : Unexpected(sale, state);
    }

    private bool Unexpected(SaleRecord sale, string? state)
    {
        Anomaly(sale, $"payment answered the sale {state}");
        return false;
    }

    /// <summary>Polls <c>sale.refresh</c> until Committed (true) or Open again (then CB, false).</summary>
    private async Task<bool> PollAsync(SaleRecord sale, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (DateTime.UtcNow < deadline)
        {
            var answer = await QueryAsync("sale.refresh", new() { ["saleId"] = sale.SaleId }, ct);
            if (answer.Ok)
            {
                var state = answer.Result.GetProperty("state").GetString();
                if (state == "Committed")
                {
                    Commit(sale, answer.Result);
                    return true;
                }

                if (state == "Open")
                {
                    ledger.Count("payment settled as refused: taken by CB");
                    await PayCbAsync(sale, ct);
                    return false;
                }
            }
            else if (answer.Code is >= 1300 and <= 1401)
            {
                continue; // the refresh that found the refusal answers it; the sale is Open now
            }
            else if (answer.Code == 1503)
            {
                // Paid, but its ticket was refused: the host's alert (PaidNoTicket); never paid again, support replays it.
                sale.FinalState = "PaidNoTicket";
                ledger.Count("sale PaidNoTicket (1503): left to support");
                return false;
            }

            await Task.Delay(700, ct);
        }

        Anomaly(sale, "the sale was still not settled after 4 minutes of polling");
        return false;
    }

    private async Task<string?> GetStateAsync(SaleRecord sale, CancellationToken ct)
    {
        var answer = await QueryAsync("sale.get", new() { ["saleId"] = sale.SaleId }, ct);
        return answer.Ok ? answer.Result.GetProperty("state").GetString() : null;
    }

    private async Task CancelAsync(SaleRecord sale, CancellationToken ct)
    {
        var answer = await MutateAsync("sale.cancel", new() { ["saleId"] = sale.SaleId }, ct);
        sale.FinalState = answer.Ok ? "Cancelled" : $"cancel answered {answer.Code}";
    }

    private static void Commit(SaleRecord sale, JsonElement answer)
    {
        sale.FinalState = "Committed";
        sale.PaymentMethod = answer.GetProperty("paymentMethod").GetString();
        sale.TotalTtc = answer.GetProperty("totalTtc").GetDecimal();
        var ticket = answer.GetProperty("ticket");
        sale.IdTicketEntete = ticket.GetProperty("idTicketEntete").GetString();
        sale.NumeroTicket = ticket.GetProperty("numeroTicket").GetString();
        if (answer.GetProperty("payment") is { ValueKind: JsonValueKind.Object } payment)
        {
            sale.IdTransactionIzly = payment.GetProperty("idTransactionIzly").GetString();
        }
    }

    private void Anomaly(SaleRecord sale, string what)
    {
        sale.Events.Add(what);
        ledger.Anomalies.Enqueue($"{till.PointOfSale} sale {sale.SaleId ?? "-"} ({sale.Kind}): {what}");
    }

    /// <summary>A mutating call, resent with the same requestId until the middleware answers (result or error).</summary>
    private async Task<Answer> MutateAsync(string method, Dictionary<string, object?> parameters, CancellationToken ct, Guid? requestId = null)
    {
        var rid = requestId ?? Guid.NewGuid();
        var answer = await UntilAnsweredAsync(c => c.CallMutatingAsync(method, parameters, rid, ct), method, ct);
        ledger.Calls.Enqueue(new CallRecord(till.PointOfSale, method, parameters, rid, answer.Text));
        return answer;
    }

    private Task<Answer> QueryAsync(string method, Dictionary<string, object?> parameters, CancellationToken ct) =>
        UntilAnsweredAsync(c => c.CallAsync(method, parameters, ct), method, ct);

    private async Task<Answer> UntilAnsweredAsync(Func<MiddlewareClient, Task<JsonElement>> call, string method, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + CallDeadline;
        while (true)
        {
            try
            {
                _client ??= await MiddlewareClient.ConnectAsync(host.ClientOptions(till.PointOfSale, $"chaos-till-{till.Index}"), ct);
                return Answer.Of(await call(_client));
            }
            catch (MiddlewareRpcException e)
            {
                return Answer.Of(e);
            }
            catch (Exception e) when (e is MiddlewareConnectionException or TimeoutException or IOException or ObjectDisposedException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                // The host is down or restarting, or the answer was lost: reconnect and send the same call again.
                if (_client is not null)
                {
                    await _client.DisposeAsync();
                    _client = null;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{till.PointOfSale}: {method} got no answer for {CallDeadline.TotalMinutes} minutes ({e.GetType().Name}: {e.Message}).", e);
                }

                await Task.Delay(250, ct);
            }
        }
    }

    /// <summary>A call's answer as the till got it; <see cref="Text"/> is what a replay must reproduce.</summary>
    internal readonly record struct Answer(bool Ok, JsonElement Result, int Code, string Text)
    {
        public static Answer Of(JsonElement result) => new(true, result, 0, "result " + result.GetRawText());

        public static Answer Of(MiddlewareRpcException e) =>
            new(false, default, e.Code, string.Create(CultureInfo.InvariantCulture, $"error {e.Code} {e.CashierMessage} | {e.Detail}"));
    }
}
