using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Middleware.VirtualCards.Vpcd;

/// <summary>
/// Puts a <see cref="IVirtualCard"/> on a vsmartcard-vpcd reader: connecting to vpcd's port inserts the card,
/// closing the connection removes it. vpcd drives the exchange: each message is a 2-byte big-endian length and a
/// payload; a 1-byte payload is a control code (<c>00</c> power off, <c>01</c> power on, <c>02</c> reset, no reply;
/// <c>04</c> get ATR, answered with the ATR); a longer one is a command APDU, answered with the response APDU.
/// </summary>
public sealed class VpcdCardSlot : IAsyncDisposable
{
    /// <summary>vpcd's port for "Virtual PCD 00 00".</summary>
    public const int FirstReaderPort = 35963;

    /// <summary>vpcd's port for "Virtual PCD 00 01".</summary>
    public const int SecondReaderPort = 35964;

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly Task _loop;
    private int _apduCount;

    private VpcdCardSlot(IVirtualCard card, TcpClient client, ILogger logger, Func<ReadOnlyMemory<byte>, bool>? dropBeforeAnswer)
    {
        Card = card;
        _client = client;
        _stream = client.GetStream();
        _logger = logger;
        DropBeforeAnswer = dropBeforeAnswer;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The card on the reader.</summary>
    public IVirtualCard Card { get; }

    /// <summary>
    /// Called with each command APDU before the card sees it; returning true pulls the card out of the field right
    /// there (the connection closes without an answer), as a cardholder taking the card away mid-read.
    /// </summary>
    public Func<ReadOnlyMemory<byte>, bool>? DropBeforeAnswer { get; set; }

    /// <summary>True until the card is removed (by <see cref="RemoveAsync"/>, <see cref="DropBeforeAnswer"/> or vpcd closing).</summary>
    public bool IsInserted => !_loop.IsCompleted;

    /// <summary>Completes when the card has left the reader.</summary>
    public Task Removed => _loop;

    /// <summary>How many command APDUs the card answered through this slot.</summary>
    public int ApduCount => Volatile.Read(ref _apduCount);

    /// <summary>
    /// Inserts <paramref name="card"/> into the vpcd reader listening on <paramref name="port"/>. vpcd listens only
    /// while pcscd runs: the connection is retried until <paramref name="connectTimeout"/> (default 5 s) elapses.
    /// </summary>
    public static async Task<VpcdCardSlot> InsertAsync(
        IVirtualCard card,
        int port = FirstReaderPort,
        string host = "127.0.0.1",
        TimeSpan? connectTimeout = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                return new VpcdCardSlot(card, client, logger ?? NullLogger.Instance, null);
            }
            catch (SocketException ex) when (!timeout.IsCancellationRequested)
            {
                client.Dispose();
                (logger ?? NullLogger.Instance).LogDebug("vpcd on {Host}:{Port} not reachable yet ({Error}); retrying", host, port, ex.SocketErrorCode);
                await Task.Delay(100, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                client.Dispose();
                throw new IOException($"No vpcd reader on {host}:{port}: is pcscd running with the vsmartcard-vpcd driver?");
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
    }

    /// <summary>Takes the card off the reader and waits for the exchange loop to end.</summary>
    public async Task RemoveAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _client.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The loop ends by the connection closing: expected.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await RemoveAsync().ConfigureAwait(false);
        _stop.Dispose();
        _client.Dispose();
    }

    private async Task RunAsync()
    {
        var header = new byte[2];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                QuickAck();
                await _stream.ReadExactlyAsync(header, _stop.Token).ConfigureAwait(false);
                QuickAck();
                var length = BinaryPrimitives.ReadUInt16BigEndian(header);
                var payload = new byte[length];
                await _stream.ReadExactlyAsync(payload, _stop.Token).ConfigureAwait(false);
                byte[]? answer;
                if (length == 1)
                {
                    answer = Control(payload[0]);
                }
                else
                {
                    if (DropBeforeAnswer?.Invoke(payload) == true || (Card is ILeavingCard leaving && leaving.LeavesFieldBefore(payload)))
                    {
                        _logger.LogDebug("Virtual card pulled out before answering INS {Ins:X2}", payload.Length > 1 ? payload[1] : 0);
                        break;
                    }

                    answer = Card.Transmit(payload);
                    Interlocked.Increment(ref _apduCount);
                }

                if (answer is not null)
                {
                    var frame = new byte[answer.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)answer.Length);
                    answer.CopyTo(frame, 2);
                    await _stream.WriteAsync(frame, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            _logger.LogDebug("vpcd connection closed: {Reason}", ex.GetType().Name);
        }
        finally
        {
            _client.Close();
        }
    }

    // vpcd sends a frame's 2-byte length and its payload in two writes with Nagle on: the payload waits for the ACK
    // of the length, which Linux delays by up to 40 ms. Acknowledging at once (TCP_QUICKACK, which the kernel clears
    // after a while, hence re-armed around each read) takes that wait off every APDU.
    private void QuickAck()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _client.Client.SetRawSocketOption(6 /* IPPROTO_TCP */, 12 /* TCP_QUICKACK */, BitConverter.GetBytes(1));
            }
            catch (SocketException)
            {
                // Only a latency optimisation.
            }
        }
    }

    private byte[]? Control(byte code)
    {
        switch (code)
        {
            case 0x00:
                Card.PowerOff();
                return null;
            case 0x01:
                Card.PowerOn();
                return null;
            case 0x02:
                Card.Reset();
                return null;
            case 0x04:
                return Card.Atr.ToArray();
            default:
                _logger.LogDebug("Unknown vpcd control code {Code:X2} ignored", code);
                return null;
        }
    }
}
