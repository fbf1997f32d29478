using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Api.Http;
using Middleware.Api.Izly;
using Middleware.Api.Tests.Support;
using Middleware.Api.Vem;
using Middleware.Contracts.Channels;

namespace Middleware.Api.Tests.Http;

/// <summary>The transport against a bare socket server that answers what a hostile or broken API would.</summary>
public sealed class ApiTransportTests
{
    private const int Limit = 64 * 1024;
    private static readonly RetryOptions NoRetry = new() { MaxRetries = 0 };

    [Fact]
    public async Task A_body_announced_larger_than_the_limit_is_not_read()
    {
        var written = 0L;
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            // 64 MiB announced and sent: the client must give up after the head, not buffer it.
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {64 * 1024 * 1024}\r\n\r\n");
            await stream.WriteAsync(head, ct);
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 1024; i++)
            {
                await stream.WriteAsync(chunk, ct);
                Interlocked.Add(ref written, chunk.Length);
            }
        });
        using var connection = new ApiConnection(null);
        var transport = new ApiTransport(connection, server.BaseUrl, TimeSpan.FromSeconds(20), NoRetry, Limit, TimeProvider.System);

        var response = await transport.SendAsync(new ApiRequest(HttpMethod.Get, "/big"), CallSafety.SendOnce, default);

        Assert.Equal(TransportFailure.Network, response.Failure);
        Assert.Contains($"larger than {Limit} bytes", response.Describe(), StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref written) < 64L * 1024 * 1024, "the client read the whole huge body");
    }

    [Fact]
    public async Task An_endless_chunked_body_is_cut_at_the_limit()
    {
        var written = 0L;
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"), ct);
            var chunk = Encoding.ASCII.GetBytes("4000\r\n" + new string(' ', 0x4000) + "\r\n");
            while (!ct.IsCancellationRequested)
            {
                await stream.WriteAsync(chunk, ct); // never ends: throws once the client hangs up
                Interlocked.Add(ref written, 0x4000);
            }
        });
        using var connection = new ApiConnection(null);
        var transport = new ApiTransport(connection, server.BaseUrl, TimeSpan.FromSeconds(20), NoRetry, Limit, TimeProvider.System);

        var response = await transport.SendAsync(new ApiRequest(HttpMethod.Get, "/endless"), CallSafety.SendOnce, default);

        Assert.Equal(TransportFailure.Network, response.Failure);
        Assert.Contains("larger than", response.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_within_the_limit_is_read_whole_with_or_without_a_length()
    {
        var json = "{\"a\":\"" + new string('x', Limit - 16) + "\"}";
        await using var sized = new RawHttpServer(RawHttpServer.Json(200, json));
        await using var chunked = new RawHttpServer(async (_, stream, ct) =>
        {
            var bytes = Encoding.UTF8.GetBytes("\uFEFF" + json); // a BOM too, dropped as a text decoder would
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{bytes.Length:x}\r\n"), ct);
            await stream.WriteAsync(bytes, ct);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("\r\n0\r\n\r\n"), ct);
        });
        using var connection = new ApiConnection(null);

        foreach (var server in new[] { sized, chunked })
        {
            var transport = new ApiTransport(connection, server.BaseUrl, TimeSpan.FromSeconds(20), NoRetry, Limit, TimeProvider.System);
            var response = await transport.SendAsync(new ApiRequest(HttpMethod.Get, "/ok"), CallSafety.SendOnce, default);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(json, Encoding.UTF8.GetString(response.Body.Span));
        }
    }

    [Fact]
    public async Task A_corrupt_compressed_body_is_a_network_failure_not_an_exception()
    {
        var garbage = Encoding.ASCII.GetBytes("this is not gzip at all, whatever the header says");
        await using var server = new RawHttpServer((_, stream, ct) =>
            RawHttpServer.WriteAsync(stream, 200, garbage, [("Content-Encoding", "gzip")], ct));
        using var connection = new ApiConnection(null);
        var transport = new ApiTransport(connection, server.BaseUrl, TimeSpan.FromSeconds(20), NoRetry, Limit, TimeProvider.System);

        var response = await transport.SendAsync(new ApiRequest(HttpMethod.Get, "/gz"), CallSafety.SendOnce, default);

        Assert.Equal(TransportFailure.Network, response.Failure);
        Assert.Contains("corrupt compressed answer", response.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_stops_coming_times_out_the_attempt()
    {
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"half\":"), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        using var connection = new ApiConnection(null);
        var transport = new ApiTransport(connection, server.BaseUrl, TimeSpan.FromMilliseconds(300), NoRetry, Limit, TimeProvider.System);

        var response = await transport.SendAsync(new ApiRequest(HttpMethod.Get, "/slow"), CallSafety.SendOnce, default);

        Assert.Equal(TransportFailure.TimedOut, response.Failure);
    }

    [Fact]
    public async Task Calls_safe_to_repeat_are_retried_on_5xx_and_calls_sent_once_are_not()
    {
        await using var server = new RawHttpServer(RawHttpServer.Json(503, "{}"));
        using var connection = new ApiConnection(null);
        var retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };
        var transport = new ApiTransport(connection, server.BaseUrl, TimeSpan.FromSeconds(5), retry, Limit, TimeProvider.System);

        var once = await transport.SendAsync(new ApiRequest(HttpMethod.Post, "/debit", [1]), CallSafety.SendOnce, default);
        Assert.Single(server.Requests);
        var repeated = await transport.SendAsync(new ApiRequest(HttpMethod.Get, "/search"), CallSafety.SafeToRepeat, default);

        Assert.Equal((503, 503), (once.StatusCode, repeated.StatusCode));
        Assert.Equal(1 + 3, server.Requests.Count);
        Assert.Equal(1, server.Connections); // every attempt on the one pooled connection
    }

    [Fact]
    public async Task The_base_urls_own_path_is_kept_as_RestSharp_kept_it()
    {
        await using var server = new RawHttpServer(RawHttpServer.Json(200, "{}"));
        using var connection = new ApiConnection(null);
        var transport = new ApiTransport(connection, new Uri(server.BaseUrl, "/gateway"), TimeSpan.FromSeconds(5), NoRetry, Limit, TimeProvider.System);

        await transport.SendAsync(new ApiRequest(HttpMethod.Get, ApiRequest.WithQuery("/api/x", "q", "a+b/c=")), CallSafety.SendOnce, default);

        Assert.Equal("GET /gateway/api/x?q=a%2Bb%2Fc%3D HTTP/1.1", Assert.Single(server.Requests).RequestLine);
    }

    [Fact]
    public async Task The_token_VEM_gives_in_an_Authorization_header_is_the_one_sent_back()
    {
        await using var server = new RawHttpServer((request, stream, ct) => request.RequestLine.StartsWith("POST /vem/v1/authenticate", StringComparison.Ordinal)
            ? RawHttpServer.WriteAsync(stream, 200, [], [("Authorization", "Bearer from-the-header")], ct)
            : RawHttpServer.WriteAsync(stream, 200, Encoding.UTF8.GetBytes("[]"), [], ct));
        var env = new Dictionary<string, string?> { [Middleware.Api.Secrets.SecretStore.InstallationKeyVariableFor(ApiHarness.Pos)] = "ik" };
        using var vem = new VemClient(new VemOptions { BaseUrl = server.BaseUrl }, new Middleware.Api.Secrets.SecretStore(new Middleware.Api.Secrets.SecretsOptions(), n => env.GetValueOrDefault(n)),
            TimeProvider.System, NullLogger<VemClient>.Instance);

        Assert.Empty(await vem.GetTvaAsync(ApiHarness.Pos, default));

        Assert.Equal("Bearer from-the-header", server.Requests.Last().Header("Authorization"));
    }

    [Fact]
    public async Task One_pooled_handler_and_one_connection_carry_every_Izly_call()
    {
        await using var server = new RawHttpServer(RawHttpServer.Json(200, """{"idTransactionIzly":"7","status":1,"balanceAfter":100,"operationDate":"2026-11-26T10:00:00+00:00"}"""));
        var keys = new IzlyKeyStore(new NoVem());
        keys.Set(ApiHarness.Pos, "k");
        var counting = new CountingHandler();
        using var izly = new IzlyClient(new IzlyOptions { BaseUrl = server.BaseUrl }, keys, TimeProvider.System, NullLogger<IzlyClient>.Instance, counting);
        var card = new CardMedium(new Middleware.Contracts.Readers.CardIdentity("36000001", "04A1B2C3D40001", Middleware.Contracts.Readers.CardTechnology.Desfire, "r", "SAM-01", true));

        for (var i = 0; i < 20; i++)
        {
            // Debits (sent once, their own timeout) and lookups (retried) alternate on the same pool.
            await izly.DebitAsync(new DebitRequest(ApiHarness.Pos.ToString(), "o-" + i, 1m, card), default);
            await izly.GetDebitAsync(ApiHarness.Pos.ToString(), "o-" + i, default);
        }

        Assert.Same(counting, izly.Handler);
        Assert.Equal(40, counting.Calls.Count);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task The_production_pool_is_one_handler_for_all_calls_with_a_connection_lifetime()
    {
        await using var server = new RawHttpServer(RawHttpServer.Json(200, """{"idTransactionIzly":"7","status":1,"balanceAfter":100,"operationDate":"2026-11-26T10:00:00+00:00"}"""));
        var keys = new IzlyKeyStore(new NoVem());
        keys.Set(ApiHarness.Pos, "k");
        using var izly = new IzlyClient(new IzlyOptions { BaseUrl = server.BaseUrl }, keys, TimeProvider.System, NullLogger<IzlyClient>.Instance);
        var handler = Assert.IsType<SocketsHttpHandler>(izly.Handler);

        for (var i = 0; i < 10; i++)
        {
            await izly.GetDebitAsync(ApiHarness.Pos.ToString(), "o-" + i, default);
            await izly.CancelAsync(ApiHarness.Pos.ToString(), "7", default);
        }

        Assert.Same(handler, izly.Handler);
        Assert.Equal(20, server.Requests.Count);
        Assert.Equal(1, server.Connections);
        Assert.Equal(ApiConnection.PooledConnectionLifetime, handler.PooledConnectionLifetime);
        Assert.NotEqual(Timeout.InfiniteTimeSpan, handler.PooledConnectionLifetime); // DNS changes are seen
        Assert.False(handler.AllowAutoRedirect);
    }
}
