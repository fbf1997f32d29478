using System.Buffers;

namespace Middleware.Api.Http;

/// <summary>Reads a response body whole, but never more than a limit: a hostile or broken server sending a huge
/// (or endless) body costs at most the limit in memory, then the exchange fails as a network error.</summary>
internal static class BoundedBody
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The body's bytes (a leading UTF-8 BOM dropped, as a text decoder would), or null past <paramref name="limit"/>.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (declared is { } exact)
            {
                // The usual case: one array of the announced size. The handler frames by Content-Length: no more comes.
                var body = exact == 0 ? [] : new byte[exact];
                var read = await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                return WithoutBom(body.AsMemory(0, read));
            }

            return await ReadUnknownLengthAsync(stream, limit, cancellationToken).ConfigureAwait(false);
        }
    }

    // Chunked or decompressed: grow a pooled buffer up to the limit, then copy out exactly what came.
    private static async ValueTask<ReadOnlyMemory<byte>?> ReadUnknownLengthAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        return null;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)limit + 1, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                length += n;
                if (length > limit)
                {
                    return null;
                }
            }

            return WithoutBom(buffer.AsSpan(0, length).ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith(Utf8Bom) ? body[Utf8Bom.Length..] : body;
}
