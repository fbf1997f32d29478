using System.Text.Json;

namespace Middleware.Fuzz.Tests.Pipe;

internal enum LineKind
{
    /// <summary>Only spaces, tabs or CR: the server skips it.</summary>
    Blank,

    /// <summary>Not JSON (or not UTF-8, or nested deeper than JSON readers accept): one <c>-32700</c> with id null.</summary>
    NotJson,

    /// <summary>A JSON-RPC request with a string or integer id: one answer with that id.</summary>
    Request,

    /// <summary>A call without id: no answer.</summary>
    Notification,

    /// <summary>Valid JSON that cannot be a request (a bare value, a batch, an id of the wrong type): one error,
    /// with id null (JSON-RPC 2.0 §5: "Invalid Request", or here -32700).</summary>
    InvalidRequest,

    /// <summary>Valid JSON a server may ignore: an answer-shaped object, an id-less object that is not a well-formed
    /// notification. At most one answer, and the connection stays usable.</summary>
    Other,

    /// <summary>A request whose bytes are not all UTF-8: one answer, with its id (invalid parameters) or with id null
    /// (not JSON), depending on where the bad bytes are.</summary>
    RequestOrNotJson,
}

/// <summary>What a line is, judged by the same rules a JSON-RPC 2.0 server must apply (independently of the server's code).</summary>
internal readonly record struct LineShape(LineKind Kind, string? IdKey, string? Method)
{
    /// <summary>The nesting limit of System.Text.Json's default reader, which the pipe uses: deeper is not parsed.</summary>
    public const int MaxDepth = 64;

    public static LineShape Of(byte[] line)
    {
        if (line.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r'))
        {
            return new(LineKind.Blank, null, null);
        }

        var utf8 = System.Text.Unicode.Utf8.IsValid(line);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            return new(LineKind.NotJson, null, null);
        }
        catch (InvalidOperationException) when (!utf8)
        {
            return new(LineKind.NotJson, null, null);
        }

        using (document)
        {
            try
            {
                return Classify(document.RootElement, utf8);
            }
            catch (InvalidOperationException)
            {
                // A member name or method that is not text (bad UTF-8, a lone surrogate). With a readable id, the till
                // waits for one answer (by id or as -32700); without, the server may take it for a notification.
                return ReadableId(document.RootElement) is { } key ? new(LineKind.RequestOrNotJson, key, "") : new(LineKind.Other, null, null);
            }
        }
    }

    private static string? ReadableId(JsonElement root)
    {
        try
        {
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) ? KeyOf(id) : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static LineShape Classify(JsonElement root, bool utf8)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new(utf8 ? LineKind.InvalidRequest : LineKind.NotJson, null, null);
        }

        string? method;
        string? key;
        try
        {
            method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            key = root.TryGetProperty("id", out var i) ? KeyOf(i) : null;
        }
        catch (InvalidOperationException)
        {
            // The method name or the id is not text: the server cannot read the envelope (-32700).
            return new(LineKind.NotJson, null, null);
        }

        if (root.TryGetProperty("id", out var id))
        {
            // An object with an id is a request the till waits for, even when its envelope is wrong (no jsonrpc,
            // no method, params of the wrong kind): it must get one answer, an error if nothing else. Only an
            // answer-shaped object (result or error, no method) is not; nor is an id no server can echo as sent.
            var answerShaped = !root.TryGetProperty("method", out _) && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _));
            return answerShaped ? new(LineKind.Other, key, method)
                : key is null ? new(LineKind.InvalidRequest, null, method)
                : utf8 ? new(LineKind.Request, key, method ?? "") : new(LineKind.RequestOrNotJson, key, method ?? "");
        }

        if (!utf8)
        {
            // A line that is not UTF-8 is not JSON (RFC 8259 §8.1): a parse error, answered -32700 with id null even
            // when it is shaped like a notification (PROTOCOL.md §2). Found by the 1,000,000-input run: 27 such lines.
            return new(LineKind.NotJson, null, null);
        }

        var wellFormed = method is not null
            && root.TryGetProperty("jsonrpc", out var version) && version.ValueKind == JsonValueKind.String && version.GetString() == "2.0"
            && (!root.TryGetProperty("params", out var parameters) || parameters.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            && !HasDuplicateKeys(root);
        return wellFormed ? new(LineKind.Notification, null, method) : new(LineKind.Other, null, method);
    }

    /// <summary>A comparable form of a string or integer id; null for other ids (null, fractions, huge numbers, objects).</summary>
    public static string? KeyOf(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.String => "s:" + id.GetString(),
        JsonValueKind.Number when id.TryGetInt64(out var n) && !id.GetRawText().Contains('.') && !id.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) => "n:" + JsonValues.Invariant(n),
        _ => null,
    };

    private static bool HasDuplicateKeys(JsonElement root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        return root.EnumerateObject().Any(p => !names.Add(p.Name));
    }
}
