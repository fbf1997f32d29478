using System.Collections.Concurrent;
using System.Net;

namespace Middleware.Host.Tests.Telemetry;

/// <summary>
/// A tiny real OTLP/HTTP receiver: accepts POST /v1/traces and /v1/metrics (protobuf), keeps the bodies, answers 200 with
/// an empty ExportServiceResponse. Spans are read with a minimal protobuf walk (<see cref="Spans"/>).
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<byte[]> _traces = new();
    private readonly ConcurrentQueue<byte[]> _metrics = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; }

    public int MetricExports => _metrics.Count;

    /// <summary>Every span received so far: (trace id, span id, parent span id, name).</summary>
    public IReadOnlyList<(string TraceId, string SpanId, string ParentId, string Name)> Spans() =>
        [.. _traces.SelectMany(body => OtlpSpans.Read(body))];

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var path = context.Request.Url!.AbsolutePath;
            if (context.Request.HttpMethod == "POST" && path == "/v1/traces")
            {
                _traces.Enqueue(body.ToArray());
            }
            else if (context.Request.HttpMethod == "POST" && path == "/v1/metrics")
            {
                _metrics.Enqueue(body.ToArray());
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// Reads spans out of an ExportTraceServiceRequest without generated code: resource_spans (1) → scope_spans (2) → spans
/// (2) → trace_id (1), span_id (2), parent_span_id (4), name (5) (opentelemetry-proto trace.proto).
/// </summary>
internal static class OtlpSpans
{
    public static IEnumerable<(string TraceId, string SpanId, string ParentId, string Name)> Read(byte[] request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    string traceId = "", spanId = "", parentId = "", name = "";
                    foreach (var (number, value) in All(span))
                    {
                        switch (number)
                        {
                            case 1: traceId = Convert.ToHexString(value); break;
                            case 2: spanId = Convert.ToHexString(value); break;
                            case 4: parentId = Convert.ToHexString(value); break;
                            case 5: name = System.Text.Encoding.UTF8.GetString(value); break;
                        }
                    }

                    yield return (traceId, spanId, parentId, name);
                }
            }
        }
    }

    private static IEnumerable<byte[]> Fields(byte[] message, int wanted) => All(message).Where(f => f.Number == wanted).Select(f => f.Value);

    // Length-delimited fields with their bytes; varint and fixed fields are stepped over.
    private static List<(int Number, byte[] Value)> All(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        var i = 0;
        while (i < message.Length)
        {
            var key = Varint(message, ref i);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0: Varint(message, ref i); break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    fields.Add((number, message[i..(i + length)]));
                    i += length;
                    break;
                default: throw new FormatException($"wire type {key & 7} at {i}");
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
