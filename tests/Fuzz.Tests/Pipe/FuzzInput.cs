namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>
/// One fuzz input: the lines sent in one go (usually one) and the answers the protocol promises for them
/// (PROTOCOL.md §2–3): one answer per request id, one <c>-32700</c> with id null per line that is not JSON, nothing
/// for a notification, a closed connection for a line over the limit.
/// </summary>
internal sealed class FuzzInput
{
    public FuzzInput(string kind, params byte[][] lines)
    {
        Kind = kind;
        Lines = lines;
        foreach (var line in lines)
        {
            var shape = LineShape.Of(line);
            if (shape.Method == "hello" && shape.Kind is not (LineKind.Request or LineKind.RequestOrNotJson))
            {
                // A hello the server runs without answering (a notification) may bind the connection unseen.
                MayBindHelloUnseen = true;
            }

            switch (shape.Kind)
            {
                case LineKind.Request:
                    ExpectedIds[shape.IdKey!] = ExpectedIds.GetValueOrDefault(shape.IdKey!) + 1;
                    Methods[shape.IdKey!] = shape.Method!;
                    break;
                case LineKind.InvalidRequest:
                    InvalidRequests++;
                    break;
                case LineKind.RequestOrNotJson:
                    EitherIds.Add(shape.IdKey!);
                    Methods[shape.IdKey!] = shape.Method!;
                    break;
                case LineKind.NotJson:
                    ExpectedParseErrors++;
                    break;
                case LineKind.Other:
                    MaybeAnswers++;
                    if (shape.IdKey is not null)
                    {
                        MaybeIds.Add(shape.IdKey);
                    }

                    break;
            }
        }
    }

    /// <summary>A line runs <c>hello</c> without an answer to tell whether it bound the connection.</summary>
    public bool MayBindHelloUnseen { get; }

    /// <summary>What the input is (for the statistics and the failure list).</summary>
    public string Kind { get; }

    public IReadOnlyList<byte[]> Lines { get; }

    /// <summary>Request ids (see <see cref="LineShape.IdKey"/>) and how many answers each must get.</summary>
    public Dictionary<string, int> ExpectedIds { get; } = new(StringComparer.Ordinal);

    /// <summary>The method of each request id, to check the answers that depend on it.</summary>
    public Dictionary<string, string> Methods { get; } = new(StringComparer.Ordinal);

    /// <summary>Lines that are not JSON: each gets exactly one <c>-32700</c> with id null.</summary>
    public int ExpectedParseErrors { get; }

    /// <summary>Valid JSON that is not a request a server can answer by id (a bare number, a batch, an answer-shaped
    /// object, an id of the wrong type): an invalid-request error or nothing; never more than one answer each.</summary>
    public int MaybeAnswers { get; }

    /// <summary>Lines that cannot be requests: each gets exactly one error with id null.</summary>
    public int InvalidRequests { get; }

    /// <summary>Requests with bytes that are not UTF-8: each gets one answer, with its id or with id null.</summary>
    public HashSet<string> EitherIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Ids carried by those lines: an answer may carry one of them, once.</summary>
    public HashSet<string> MaybeIds { get; } = new(StringComparer.Ordinal);

    /// <summary>The line is over the limit: the server must close this connection (and only it) without answering.</summary>
    public bool ExpectClose { get; init; }

    /// <summary>A well-formed call that must succeed (a <c>result</c>, not an error).</summary>
    public bool ExpectResult { get; init; }

    /// <summary>A well-formed call of a known method: before <c>hello</c> it must get 1002, nothing else.</summary>
    public bool WellFormedCall { get; init; }

    /// <summary>Shown in failures: the start of the first line, printable.</summary>
    public string Preview
    {
        get
        {
            var line = Lines.Count > 0 ? Lines[0] : [];
            var text = System.Text.Encoding.UTF8.GetString(line, 0, Math.Min(line.Length, 160));
            var printable = new string(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' ? '·' : c).ToArray());
            return $"{Kind} ({Lines.Count} line(s), {line.Length} bytes): {printable}{(line.Length > 160 ? "…" : "")}";
        }
    }
}
