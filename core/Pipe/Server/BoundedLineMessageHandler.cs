using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Middleware.Pipe.Server;

/// <summary>
/// One UTF-8 JSON message per line (LF or CRLF), like <see cref="NewLineDelimitedMessageHandler"/>, plus two
/// protections the stock handler lacks: a line longer than <c>maxMessageBytes</c> closes the connection before it
/// is buffered whole, and a line that is not valid JSON becomes a synthetic call to <see cref="ParseErrorMethod"/>
/// so the till gets a <c>-32700</c> error (id null) and the connection keeps working.
/// </summary>
internal sealed class BoundedLineMessageHandler : NewLineDelimitedMessageHandler
{
    /// <summary>Reserved method name (JSON-RPC reserves <c>rpc.*</c>) dispatched for unparsable lines.</summary>
    internal const string ParseErrorMethod = "rpc.parseError";

    /// <summary>Reserved method dispatched instead of a mutating call that lacks a valid <c>requestId</c>, so the till
    /// gets 1003 rather than the binder's generic "invalid parameters".</summary>
    internal const string RequestIdRequiredMethod = "rpc.requestIdRequired";

    private readonly long maxMessageBytes;
    private readonly IJsonRpcMessageFactory messageFactory;
    private readonly IReadOnlyDictionary<string, int> mutatingMethods;

    /// <param name="duplex">The connection.</param>
    /// <param name="formatter">The JSON formatter.</param>
    /// <param name="maxMessageBytes">Longest accepted line.</param>
    /// <param name="mutatingMethods">Mutating method names and the position of their <c>requestId</c> parameter.</param>
    public BoundedLineMessageHandler(Stream duplex, SystemTextJsonFormatter formatter, int maxMessageBytes, IReadOnlyDictionary<string, int> mutatingMethods)
        : base(duplex, duplex, formatter)
    {
        this.maxMessageBytes = maxMessageBytes;
        this.mutatingMethods = mutatingMethods;
        messageFactory = formatter;
        NewLine = NewLineStyle.Lf;
    }

    /// <summary>The last parse failure, for the error detail of the synthetic call.</summary>
    public string? LastParseError { get; private set; }

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        var reader = Reader ?? throw new InvalidOperationException("No reader.");
        while (true)
        {
            var readResult = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = readResult.Buffer;
            if (buffer.Length == 0 && readResult.IsCompleted)
            {
                return null; // the till closed the connection between messages
            }

            var lf = buffer.PositionOf((byte)'\n');
            if (!lf.HasValue)
            {
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

                try
                {
                    // Parsed from a copy: the formatter keeps the parsed document, while this buffer goes back to the
                    // pool shared by every connection as soon as we return (see the finally). Parameters read later
                    // from the pipe's own memory were seen carrying another till's data (3 in 24,000 calls under load).
                    var message = Formatter.Deserialize(new ReadOnlySequence<byte>(line.ToArray()));
                    if (message is JsonRpcRequest { Method: { } method } request
                        && mutatingMethods.TryGetValue(method, out var requestIdIndex)
                        && !Idempotency.IdempotencyGate.TryReadRequestId(request, requestIdIndex, out _))
                    {
                        var replacement = messageFactory.CreateRequestMessage();
                        replacement.Method = RequestIdRequiredMethod;
                        replacement.RequestId = request.RequestId;
                        return replacement;
                    }

                    return message;
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException or NotSupportedException || ex.InnerException is JsonException)
                {
                    LastParseError = ex.Message;
                    var request = messageFactory.CreateRequestMessage();
                    request.Method = ParseErrorMethod;
                    request.RequestId = RequestId.Null;
                    return request;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.GetPosition(1, lf.Value));
            }
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
