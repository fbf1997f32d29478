using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Serial;
using Middleware.Plugins.Tetra.Codec;
using Middleware.Plugins.Tetra.Link;

namespace Middleware.Plugins.Tetra;

/// <summary>
/// The Ingenico Tetra (Desk 5000, Move 5000) on the host's serial link (<c>cards.md</c> §7): reads the Izly card with
/// the DemandeZDC message and takes CB payments with Concert E+, over Concert framing. One request at a time: a second
/// one while a request runs is refused at once (<see cref="TerminalException"/>, "busy"), not queued.
/// </summary>
public sealed class TetraPlugin : SerialTerminalPluginBase, ITerminalPlugin
{
    /// <summary>The plugin id (its key in <c>plugins.json</c>).</summary>
    public const string PluginId = "terminal.tetra";

    private ValidatedTetraSettings? _settings;
    private int _busy;

    // The line's state (clean or not) and the link it belongs to: a link the base opened anew starts unclean.
    private ConcertLineState _line = new();
    private Stream? _lineLink;

    /// <summary>Creates the plugin.</summary>
    public TetraPlugin()
        : base(PluginId, "1.0.0", "Ingenico Tetra (Concert link): Izly card reads and CB payments", CardTechnology.Tetra)
    {
    }

    private ValidatedTetraSettings Settings => _settings ?? throw new InvalidOperationException($"{PluginId} is not started.");

    /// <summary>Reads the card presented to the terminal; refused at once with "busy" while another request runs.</summary>
    public new Task<CardIdentity> ReadCardAsync(string terminalName, TimeSpan timeout, CancellationToken cancellationToken) =>
        OneAtATimeAsync(terminalName, () => base.ReadCardAsync(terminalName, timeout, cancellationToken));

    /// <summary>Takes a card payment; refused at once with "busy" while another request runs.</summary>
    public new Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        OneAtATimeAsync(request?.TerminalName, () => base.TakePaymentAsync(request!, cancellationToken));

    /// <summary>Refunds a card payment (Concert credit); refused at once with "busy" while another request runs.</summary>
    public new Task<TerminalPaymentResult> RefundAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        OneAtATimeAsync(request?.TerminalName, () => base.RefundAsync(request!, cancellationToken));

    /// <inheritdoc />
    protected override Task OnStartAsync(IPluginContext context, CancellationToken cancellationToken)
    {
        _settings = context.GetSettings<TetraSettings>().Validate();

        // The link opens anew (or is handed back) after a start: whatever the line did meanwhile, the first exchange drains.
        ForgetLine();
        context.Logger.LogInformation(
            "Tetra terminal {Terminal} on {Port}: till {Till}, step timeout {StepTimeout}, {Retries} retries",
            LinkSettings.TerminalName,
            LinkSettings.Port,
            _settings.TillNumber,
            _settings.Link.StepTimeout,
            _settings.Link.Retries);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task OnStopAsync(CancellationToken cancellationToken)
    {
        ForgetLine();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task<CardIdentity> ReadCardOnLinkAsync(Stream link, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Taken now: a stop during the exchange clears the context, and the failure is still logged.
        var log = Context.Logger;
        var settings = Settings;
        var terminal = LinkSettings.TerminalName;
        var request = DemandeZdcCodec.EncodeRequest(settings.TillNumber, timeout);

        // The terminal answers result 1 once its own wait is over: the answer has that long plus one step.
        var answerWait = TimeSpan.FromSeconds(DemandeZdcCodec.TimeoutSeconds(timeout)) + settings.Link.StepTimeout;
        try
        {
            var answer = await ExchangeAsync(link, request, answerWait, cancellationToken).ConfigureAwait(false);
            var card = DemandeZdcCodec.DecodeAnswer(answer, terminal);
            log.LogInformation("Tetra {Terminal} read card {Card}", terminal, card.MaskedIdSupport);
            return card;
        }
        catch (CardReadException e)
        {
            log.LogInformation("Tetra {Terminal} read no card: {Error} ({Detail})", terminal, e.Error, e.Message);
            throw;
        }
        catch (TerminalException e)
        {
            log.LogWarning("Tetra {Terminal} card read failed: {Detail}", terminal, e.Message);
            throw;
        }
    }

    /// <inheritdoc />
    protected override Task<TerminalPaymentResult> TakePaymentOnLinkAsync(Stream link, TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        TransactAsync(link, request, ConcertTransactionType.Debit, cancellationToken);

    /// <inheritdoc />
    protected override Task<TerminalPaymentResult> RefundOnLinkAsync(Stream link, TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        TransactAsync(link, request, ConcertTransactionType.Credit, cancellationToken);

    // A Concert E+ transaction: a debit (payment) or a credit (refund), the same message but for its type.
    private async Task<TerminalPaymentResult> TransactAsync(Stream link, TerminalPaymentRequest request, ConcertTransactionType type, CancellationToken cancellationToken)
    {
        // Taken now: a stop during the exchange clears the context, and the failure is still logged.
        var log = Context.Logger;
        var settings = Settings;
        var terminal = LinkSettings.TerminalName;
        var what = type == ConcertTransactionType.Credit ? "refund" : "payment";
        // A bad request is the caller's error, answered as the contract's TerminalException: an argument exception
        // would count against the plugin (Malfunctioned).
        if (request.Timeout <= TimeSpan.Zero || request.Timeout > TimeSpan.FromMinutes(10))
        {
            throw new TerminalException($"A card {what} waits 1 ms to 10 min.") { RequestNotSent = true };
        }

        long cents;
        try
        {
            cents = ConcertPaymentCodec.ToCents(request.Amount);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new TerminalException(e.Message.Split(Environment.NewLine)[0]) { RequestNotSent = true };
        }

        var sent = new ConcertPaymentRequest(
            settings.TillNumber,
            cents,
            type,
            ConcertPaymentCodec.PrivateDataFor(request.Reference ?? ""),
            settings.FullPaymentReport);
        try
        {
            var answer = await ExchangeAsync(link, ConcertPaymentCodec.EncodeRequest(sent), request.Timeout + settings.Link.StepTimeout, cancellationToken)
                .ConfigureAwait(false);
            var result = ConcertPaymentCodec.DecodeAnswer(answer, sent, terminal);
            log.LogInformation("Tetra {Terminal} {What} of {Cents} cents: {Outcome}", terminal, what, sent.AmountCents, result.Outcome);
            return new TerminalPaymentResult(result.Outcome, ConcertPaymentCodec.ToEuros(result.AmountCents), result.Report);
        }
        catch (TerminalException e) when (e.RequestNotSent)
        {
            log.LogWarning("Tetra {Terminal} {What} of {Cents} cents not sent: {Detail}", terminal, what, sent.AmountCents, e.Message);
            throw;
        }
        catch (TerminalException e)
        {
            // The terminal may have done it all the same: the cashier checks its receipt.
            log.LogWarning("Tetra {Terminal} {What} of {Cents} cents failed, outcome unknown: {Detail}", terminal, what, sent.AmountCents, e.Message);
            throw;
        }
    }

    private async Task<string> ExchangeAsync(Stream link, string request, TimeSpan answerWait, CancellationToken cancellationToken)
    {
        // One deadline for the exchange, a start-over included: retries never add up past the host's margin.
        var deadline = new ExchangeDeadline(answerWait, Settings.Link, Context.Time);
        var line = LineOf(link);
        var first = new ConcertLink(link, Settings.Link, Context.Time, line);
        try
        {
            return await first.ExchangeAsync(request, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (TerminalException e) when (!first.RequestSent && !e.RequestNotSent)
        {
            // The terminal never acknowledged ENQ: the request frame never went out, so nothing can have been paid.
            throw new TerminalException(e.Message, e) { RequestNotSent = true };
        }
        catch (IOException e) when (!first.RequestSent && e is not LinkStalledException && !cancellationToken.IsCancellationRequested)
        {
            // The device went away (and maybe came back) since the last exchange: the host's link noticed only now, on
            // the opening ENQ, and reopens it. The request itself never went out, so the exchange starts over once, its
            // first write waiting (bounded) for the link to be back.
            Context.Logger.LogInformation("Tetra {Terminal}: the link was lost since the last exchange; starting over when it is back", LinkSettings.TerminalName);
            // The same line, left unclean by the first attempt: the start-over drains what the device sent meanwhile.
            var second = new ConcertLink(link, Settings.Link, Context.Time, line);
            try
            {
                return await second.ExchangeAsync(request, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (TerminalException again) when (!second.RequestSent && !again.RequestNotSent)
            {
                throw new TerminalException(again.Message, again) { RequestNotSent = true };
            }
        }
    }

    /// <summary>The state of <paramref name="link"/>'s line: a fresh (unclean) one when the base hands over another link
    /// than the last exchange's (it dropped the old one and opened a new one).</summary>
    private ConcertLineState LineOf(Stream link)
    {
        if (!ReferenceEquals(link, _lineLink))
        {
            _line = new ConcertLineState();
            _lineLink = link;
        }

        return _line;
    }

    private void ForgetLine()
    {
        _line = new ConcertLineState();
        _lineLink = null;
    }

    private async Task<T> OneAtATimeAsync<T>(string? terminalName, Func<Task<T>> request)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new TerminalException($"Terminal {terminalName} is busy: another request is running on it (one at a time).") { RequestNotSent = true };
        }

        try
        {
            return await request().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }
}
