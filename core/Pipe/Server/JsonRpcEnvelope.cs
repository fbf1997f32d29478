using System.Text.Json;
using StreamJsonRpc;

namespace Middleware.Pipe.Server;

/// <summary>What the envelope check says of one line.</summary>
internal enum EnvelopeVerdict
{
    /// <summary>A well-formed request or notification (or not JSON at all: the parser answers -32700).</summary>
    Valid,

    /// <summary>A malformed request: answered -32600 with its id.</summary>
    InvalidRequest,

    /// <summary>Nothing to answer: an answer-shaped line (the server never calls a till) or a malformed notification.</summary>
    Drop,

    /// <summary>Not UTF-8, so not JSON: answered -32700 (id null). The parser would let bad bytes through in names
    /// and strings until a method's parameter binding failed on them, an internal error.</summary>
    NotUtf8,
}

/// <summary>
/// Checks a line's JSON-RPC 2.0 envelope before StreamJsonRpc reads it: StreamJsonRpc leaves some malformed requests
/// unanswered (params that are a string or a number, an id without a method, a method or a jsonrpc that is not a string)
/// or closes the connection on an answer-shaped line, while a till must get exactly one answer to each request and keep
/// its connection. Reads the top level only (one pass, nothing allocated but the reason).
/// </summary>
internal static class JsonRpcEnvelope
{
    public static EnvelopeVerdict Check(ReadOnlySpan<byte> line, out RequestId id, out string reason)
    {
        id = RequestId.Null;
        reason = "";
        if (!System.Text.Unicode.Utf8.IsValid(line))
        {
            return EnvelopeVerdict.NotUtf8;
        }

        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read())
            {
                return EnvelopeVerdict.Valid;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var batch = reader.TokenType == JsonTokenType.StartArray;
                reader.Skip();
                EndOfLine(ref reader); // truncated or trailing data: not JSON, the parser's -32700
                reason = batch ? "batches are not supported: send one call per line" : "a message is a JSON object";
                return EnvelopeVerdict.InvalidRequest;
            }

            bool hasId = false, idValid = true, hasMethod = false, hasAnswer = false;
            string? problem = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Names compared as UTF-8 (no string per property per call); escaped names are unescaped by the reader.
                var name = Name(ref reader);
                reader.Read();
                switch (name)
                {
                    case Property.JsonRpc when reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("2.0"u8):
                        problem ??= "'jsonrpc' must be the string \"2.0\"";
                        break;
                    case Property.Method:
                        hasMethod = true;
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            problem ??= "'method' must be a string";
                        }

                        break;
                    case Property.Params when reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray):
                        problem ??= "'params' must be an object (named parameters)";
                        break;
                    case Property.Id:
                        hasId = true;
                        switch (reader.TokenType)
                        {
                            case JsonTokenType.String:
                                id = new RequestId(reader.GetString());
                                break;
                            case JsonTokenType.Number when reader.TryGetInt64(out var number):
                                id = new RequestId(number);
                                break;
                            case JsonTokenType.Null:
                                break;
                            default:
                                idValid = false;
                                problem ??= "'id' must be a string, an integer or null";
                                break;
                        }

                        break;
                    case Property.Result or Property.Error:
                        hasAnswer = true;
                        break;
                }

                reader.Skip();
            }

            EndOfLine(ref reader);
            if (!hasMethod && hasAnswer && problem is null)
            {
                return EnvelopeVerdict.Drop; // an answer: the server never calls a till, so there is nothing it answers
            }

            problem ??= hasMethod ? null : "a request needs a 'method'";
            if (problem is null)
            {
                return EnvelopeVerdict.Valid;
            }

            if (!idValid)
            {
                id = RequestId.Null;
            }

            reason = problem;
            return hasId ? EnvelopeVerdict.InvalidRequest : EnvelopeVerdict.Drop;
        }
        catch (JsonException)
        {
            return EnvelopeVerdict.Valid; // not JSON: the formatter's parse error answers -32700
        }
    }

    private enum Property
    {
        Other,
        JsonRpc,
        Method,
        Params,
        Id,
        Result,
        Error,
    }

    private static Property Name(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("jsonrpc"u8) ? Property.JsonRpc
        : reader.ValueTextEquals("method"u8) ? Property.Method
        : reader.ValueTextEquals("params"u8) ? Property.Params
        : reader.ValueTextEquals("id"u8) ? Property.Id
        : reader.ValueTextEquals("result"u8) ? Property.Result
        : reader.ValueTextEquals("error"u8) ? Property.Error
        : Property.Other;

    // Reads past the message: throws JsonException when it was cut short or something follows it.
    private static void EndOfLine(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.PropertyName || reader.CurrentDepth > 0 || reader.Read())
        {
            throw new JsonException("The line is not one complete JSON value.");
        }
    }
}
