using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>One message the server sent: an answer (id, result or error code) or a notification.</summary>
internal sealed record ServerMessage(string? IdKey, bool IdIsNull, bool HasResult, int? ErrorCode, bool IsNotification, string Text)
{
    /// <summary>The message, shortened for failure reports.</summary>
    public override string ToString() => Text.Length > 300 ? Text[..300] + "…" : Text;
}

/// <summary>
/// A till's connection at the byte level: a Unix socket to the pipe, raw lines out (the fuzzer chooses every byte),
/// the server's lines in, parsed. <see cref="Answers"/> completes when the server closes the connection.
/// </summary>
internal sealed class TillConnection : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly Channel<ServerMessage> answers = Channel.CreateUnbounded<ServerMessage>();
    private readonly Task reading;
    private readonly CancellationTokenSource stop = new();

    private TillConnection(Socket socket)
    {
        this.socket = socket;
        reading = Task.Run(ReadLoopAsync);
    }

    public ChannelReader<ServerMessage> Answers => answers.Reader;

    /// <summary>Why the server's side ended (null while open, "EOF" for a clean close).</summary>
    public string? ClosedBecause { get; private set; }

    public static async Task<TillConnection> OpenAsync(string socketPath, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new TillConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends each line followed by <c>\n</c>, in one write. False when the server has closed the connection.</summary>
    public async Task<bool> SendAsync(IEnumerable<byte[]> lines, CancellationToken cancellationToken = default)
    {
        var buffer = new MemoryStream();
        foreach (var line in lines)
        {
            buffer.Write(line);
            buffer.WriteByte((byte)'\n');
        }

        try
        {
            var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            while (!bytes.IsEmpty)
            {
                var sent = await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
                bytes = bytes[sent..];
            }

            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted or SocketError.NotConnected)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        socket.Dispose();
        try
        {
            await reading;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var pending = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(chunk, SocketFlags.None, stop.Token);
                if (read == 0)
                {
                    ClosedBecause = "EOF";
                    break;
                }

                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (chunk[i] != (byte)'\n')
                    {
                        continue;
                    }

                    pending.Write(chunk, start, i - start);
                    start = i + 1;
                    answers.Writer.TryWrite(Parse(pending.ToArray()));
                    pending.SetLength(0);
                }

                pending.Write(chunk, start, read - start);
            }
        }
        catch (SocketException ex)
        {
            ClosedBecause = ex.SocketErrorCode.ToString();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            ClosedBecause = "disposed";
        }
        finally
        {
            answers.Writer.TryComplete();
        }
    }

    private static ServerMessage Parse(byte[] line)
    {
        var text = Encoding.UTF8.GetString(line);
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var hasId = root.TryGetProperty("id", out var id);
            int? code = root.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : null;
            return new ServerMessage(
                hasId ? LineShape.KeyOf(id) : null,
                hasId && id.ValueKind == JsonValueKind.Null,
                root.TryGetProperty("result", out _),
                code,
                !hasId && root.TryGetProperty("method", out _),
                text);
        }
        catch (JsonException)
        {
            // The server must only write JSON: the runner reports this message as a finding.
            return new ServerMessage(null, false, false, null, false, "NOT JSON: " + text);
        }
    }
}
