using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Nerdbank.Streams;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Middleware.Pipe.Server;

/// <summary>
/// One UTF-8 JSON message per line (LF or CRLF), like <see cref="NewLineDelimitedMessageHandler"/>, plus the protections
/// the stock handler lacks:
/// <list type="bullet">
/// <item>a line longer than <c>maxMessageBytes</c> closes the connection before it is buffered whole, and the search for
/// the newline resumes where the previous read stopped (linear in the bytes received, however they are split);</item>
/// <item>a line that is not valid JSON becomes a synthetic call to <see cref="ParseErrorMethod"/> so the till gets a
/// <c>-32700</c> error (id null) and the connection keeps working;</item>
/// <item>at most <see cref="InFlightCalls"/> calls are read and unanswered: past it the connection is not read;</item>
/// <item>a call whose id is already in flight becomes a call to <see cref="DuplicateRequestIdMethod"/>;</item>
/// <item>answers wait in an output buffer of at most <c>maxPendingOutputBytes</c>; a till that lets it stay full longer
/// than <c>writeTimeout</c> is disconnected.</item>
/// </list>
/// </summary>
internal sealed class BoundedLineMessageHandler : NewLineDelimitedMessageHandler
{
    /// <summary>Reserved method name (JSON-RPC reserves <c>rpc.*</c>) dispatched for unparsable lines.</summary>
    internal const string ParseErrorMethod = "rpc.parseError";

    /// <summary>Reserved method dispatched instead of a mutating call that lacks a valid <c>requestId</c>, so the till
    /// gets 1003 rather than the binder's generic "invalid parameters".</summary>
    internal const string RequestIdRequiredMethod = "rpc.requestIdRequired";

    /// <summary>Reserved method dispatched instead of a call whose id is already in flight on the connection.</summary>
    internal const string DuplicateRequestIdMethod = "rpc.duplicateRequestId";

    /// <summary>Stands for a malformed request (see <see cref="JsonRpcEnvelope"/>): answered -32600 with its id.</summary>
    internal const string InvalidRequestMethod = "rpc.invalidRequest";

    /// <summary>The only notification (message without id) a till may send: StreamJsonRpc clients cancel calls with it.</summary>
    internal const string CancelRequestMethod = "$/cancelRequest";

    private readonly long maxMessageBytes;
    private readonly IJsonRpcMessageFactory messageFactory;
    private readonly IReadOnlyDictionary<string, int> mutatingMethods;
    private readonly InFlightCalls inFlight;
    private readonly IConnectionEvents events;
    private readonly TimeSpan writeTimeout;
    private readonly TimeProvider timeProvider;
    private long scanned;

    /// <param name="duplex">The connection.</param>
    /// <param name="formatter">The JSON formatter.</param>
    /// <param name="options">The limits (<see cref="PipeServerOptions.MaxMessageBytes"/>,
    /// <see cref="PipeServerOptions.MaxPendingOutputBytes"/>, <see cref="PipeServerOptions.WriteTimeout"/>).</param>
    /// <param name="mutatingMethods">Mutating method names and the position of their <c>requestId</c> parameter.</param>
    /// <param name="inFlight">The connection's calls in flight.</param>
    /// <param name="events">What the connection is told: each message read, dropped messages, a write timeout.</param>
    /// <param name="timeProvider">The clock of the write timeout.</param>
    public BoundedLineMessageHandler(Stream duplex, SystemTextJsonFormatter formatter, PipeServerOptions options, IReadOnlyDictionary<string, int> mutatingMethods, InFlightCalls inFlight, IConnectionEvents events, TimeProvider timeProvider)
        : base(
            // Inline schedulers: the loop copying answers to the socket resumes on the flushing thread (it was queued to
            // the thread pool: one more hop per answer). The output limit is the same pause threshold.
            duplex.UsePipeWriter(new PipeOptions(
                readerScheduler: PipeScheduler.Inline,
                writerScheduler: PipeScheduler.Inline,
                pauseWriterThreshold: options.MaxPendingOutputBytes,
                resumeWriterThreshold: options.MaxPendingOutputBytes / 2,
                useSynchronizationContext: false)),
            PipeReader.Create(duplex, new StreamPipeReaderOptions(leaveOpen: true)),
            formatter)
    {
        maxMessageBytes = options.MaxMessageBytes;
        writeTimeout = options.WriteTimeout;
        this.mutatingMethods = mutatingMethods;
        this.inFlight = inFlight;
        this.events = events;
        this.timeProvider = timeProvider;
        messageFactory = formatter;
        NewLine = NewLineStyle.Lf;
        // A pending read on the pipe may not see cancellation: closing the stream ends it.
        DisposalToken.Register(static s => ((Stream)s!).Dispose(), duplex);
    }

    /// <summary>The last parse failure, for the error detail of the synthetic call.</summary>
    public string? LastParseError { get; private set; }

    /// <summary>Why the last malformed request was refused, for its -32600 answer.</summary>
    public string? LastInvalidRequest { get; private set; }

    /// <summary>Bytes examined while looking for newlines, over the connection's life (a line received in many reads is
    /// still examined once).</summary>
    public long ScannedBytes { get; private set; }

    // Pooled builders: a read waits for the till nearly every time, and each of those awaits would otherwise box a
    // new state machine per message. Each ValueTask is awaited once, by its only caller.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        // The slot is taken before reading: a till that does not read its answers stops being read.
        await inFlight.WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
        var keepSlot = false;
        try
        {
            var (message, answered) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            keepSlot = answered;
            return message;
        }
        finally
        {
            if (!keepSlot)
            {
                inFlight.ReleaseSlot();
            }
        }
    }

    /// <summary>The next message to dispatch (null at the end), and whether it will be answered: then it keeps the slot
    /// taken by <see cref="ReadCoreAsync"/> until its answer is sent.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(JsonRpcMessage? Message, bool Answered)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var reader = Reader ?? throw new InvalidOperationException("No reader.");
        while (true)
        {
            var readResult = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = readResult.Buffer;
            if (buffer.Length == 0 && readResult.IsCompleted)
            {
                return (null, false); // the till closed the connection between messages
            }

            // Only the bytes not examined yet: a line arriving a byte at a time is scanned once, not once per byte.
            var lf = buffer.Slice(scanned).PositionOf((byte)'\n');
            if (!lf.HasValue)
            {
                ScannedBytes += buffer.Length - scanned;
                scanned = buffer.Length;
                if (buffer.Length > maxMessageBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    throw new MessageTooLongException(maxMessageBytes);
                }

                if (readResult.IsCompleted)
                {
                    reader.AdvanceTo(buffer.End);
                    throw new EndOfStreamException("The till disconnected in the middle of a message.");
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var line = buffer.Slice(0, lf.Value);
            ScannedBytes += line.Length - scanned + 1;
            scanned = 0;
            if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
            {
                line = line.Slice(0, line.Length - 1);
            }

            try
            {
                if (line.Length > maxMessageBytes)
                {
                    throw new MessageTooLongException(maxMessageBytes);
                }

                if (IsBlank(line))
                {
                    continue;
                }

                var message = Parse(line);
                if (message is JsonRpcRequest { IsResponseExpected: true } request)
                {
                    events.MessageRead();
                    return (inFlight.Begin(request.RequestId) ? Synthetic(DuplicateRequestIdMethod, request.RequestId) : request, true);
                }

                if (message is JsonRpcRequest { Method: CancelRequestMethod })
                {
                    // Answered by nobody and run at once: it needs no slot.
                    return (message, false);
                }

                // Nothing else without an id is part of the protocol, and the server never calls a till (no answers).
                events.MessageDropped(message is JsonRpcRequest { Method: { } dropped } ? $"notification '{dropped}'" : "an answer");
            }
            finally
            {
                reader.AdvanceTo(buffer.GetPosition(1, lf.Value));
            }
        }
    }

    private JsonRpcMessage Parse(in ReadOnlySequence<byte> line)
    {
        try
        {
            // Parsed from a copy: the formatter keeps the parsed document, while this buffer goes back to the
            // pool shared by every connection as soon as we return (see the finally). Parameters read later
            // from the pipe's own memory were seen carrying another till's data (3 in 24,000 calls under load).
            var bytes = line.ToArray();
            switch (JsonRpcEnvelope.Check(bytes, out var invalidId, out var reason))
            {
                case EnvelopeVerdict.InvalidRequest:
                    LastInvalidRequest = reason;
                    return Synthetic(InvalidRequestMethod, invalidId);
                case EnvelopeVerdict.Drop:
                    return new JsonRpcResult(); // dropped by the caller, as any answer from a till
                case EnvelopeVerdict.NotUtf8:
                    LastParseError = "the line is not valid UTF-8";
                    return Synthetic(ParseErrorMethod, RequestId.Null);
            }

            var message = Formatter.Deserialize(new ReadOnlySequence<byte>(bytes));
            if (message is JsonRpcRequest { Method: { } method } request
                && mutatingMethods.TryGetValue(method, out var requestIdIndex)
                && !Idempotency.IdempotencyGate.TryReadRequestId(request, requestIdIndex, out _))
            {
                return Synthetic(RequestIdRequiredMethod, request.RequestId);
            }

            return message;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException or NotSupportedException || ex.InnerException is JsonException)
        {
            LastParseError = ex.Message;
            return Synthetic(ParseErrorMethod, RequestId.Null);
        }
    }

    private JsonRpcRequest Synthetic(string method, RequestId id)
    {
        var request = messageFactory.CreateRequestMessage();
        request.Method = method;
        request.RequestId = id;
        return request;
    }

    protected override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // The output buffer only makes a flush wait when it holds maxPendingOutputBytes the till has not read.
        var flush = base.FlushAsync(cancellationToken);
        if (flush.IsCompletedSuccessfully)
        {
            return;
        }

        try
        {
            await flush.AsTask().WaitAsync(writeTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            events.WriteTimedOut();
            throw new IOException($"The till did not read its answers for {writeTimeout}: the connection is closed.");
        }
    }

    private static bool IsBlank(in ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>A till sent a line longer than the configured maximum; its connection is closed.</summary>
internal sealed class MessageTooLongException(long max) : IOException($"A message line exceeded {max} bytes; the connection is closed.");
