using System.Globalization;
using System.Text;

namespace Middleware.Api.Http;

/// <summary>
/// One API call as the transport sends it, attempt after attempt: method, path and query (already escaped), the body
/// as UTF-8 bytes and its media type, and the few headers the APIs need. Built once per call; each attempt only makes
/// the <see cref="HttpRequestMessage"/> that HttpClient requires fresh.
/// </summary>
internal sealed class ApiRequest
{
    /// <summary>RestSharp's default Accept, kept as the APIs always got it when a call does not ask for JSON only.</summary>
    public const string DefaultAccept = "application/json, text/json, text/x-json, text/javascript, application/xml, text/xml";

    public const string JsonAccept = "application/json";

    public const string JsonContentType = "application/json; charset=utf-8";

    public ApiRequest(HttpMethod method, string pathAndQuery, byte[]? body = null, string contentType = JsonContentType)
    {
        Method = method;
        PathAndQuery = pathAndQuery;
        Body = body;
        ContentType = contentType;
    }

    public HttpMethod Method { get; }

    /// <summary>Relative to the base URL, like RestSharp's resource: a leading '/' keeps the base URL's own path.</summary>
    public string PathAndQuery { get; }

    public byte[]? Body { get; }

    public string ContentType { get; }

    /// <summary>Set before each send: a re-authentication changes it between two sends of the same call.</summary>
    public string? Authorization { get; set; }

    public string Accept { get; set; } = DefaultAccept;

    /// <summary>One more header (Izly's <c>AppIdentifier</c>), or none.</summary>
    public string? HeaderName { get; set; }

    public string? HeaderValue { get; set; }

    /// <summary>The absolute URI, made by the transport on the first send and reused by retries.</summary>
    internal Uri? Uri { get; set; }

    /// <summary>Appends <c>?name=value</c> or <c>&amp;name=value</c>, both escaped as RestSharp escaped query parameters.</summary>
    public static string WithQuery(string path, string name, string value) =>
        string.Concat(path, path.Contains('?', StringComparison.Ordinal) ? "&" : "?", Uri.EscapeDataString(name), "=", Uri.EscapeDataString(value));

    /// <summary>A query of two parameters in one string.</summary>
    public static string WithQuery(string path, string name1, string value1, string name2, string value2)
    {
        var text = new StringBuilder(path.Length + name1.Length + value1.Length + name2.Length + value2.Length + 16)
            .Append(path).Append(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')
            .Append(Uri.EscapeDataString(name1)).Append('=').Append(Uri.EscapeDataString(value1))
            .Append('&').Append(Uri.EscapeDataString(name2)).Append('=').Append(Uri.EscapeDataString(value2));
        return text.ToString();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Method} {PathAndQuery}");
}
