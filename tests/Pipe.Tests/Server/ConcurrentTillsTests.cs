using System.Collections.Concurrent;

namespace Middleware.Pipe.Tests.Server;

/// <summary>
/// Many tills on their own connections at once: each must get the answer to its own message, never another till's.
/// Regression: the line handler handed the pipe's buffer back to the shared pool while the parsed message still read
/// from it, and about 1 call in 8,000 under CPU load ran with another connection's parameters.
/// </summary>
public sealed class ConcurrentTillsTests
{
    private const int Tills = 8;
    private const int CallsPerTill = 1_500;

    [Fact]
    public async Task Eight_tills_calling_at_once_each_get_the_answer_to_their_own_parameters()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        var clients = new List<Middleware.Client.MiddlewareClient>();
        try
        {
            for (var i = 0; i < Tills; i++)
            {
                clients.Add(await harness.ConnectAsync(configure: o => o.TillName = $"till-{i}"));
            }

            var wrong = new ConcurrentQueue<string>();
            await Task.WhenAll(clients.Select((client, i) => Task.Run(async () =>
            {
                for (var n = 0; n < CallsPerTill; n++)
                {
                    // Lengths vary so a stale buffer cannot line up with the right field by chance.
                    var text = $"t{i}-{n}-" + new string((char)('a' + i), n % 37);
                    var answer = await client.CallAsync<string>("test.echo", new { text });
                    if (answer != $"till-{i}|{text}")
                    {
                        wrong.Enqueue($"till-{i} sent {text}, got {answer}");
                    }

                    if (n % 10 == 0)
                    {
                        // A mutating call too: its parameters are also hashed by the idempotency gate.
                        var label = $"l{i}-{n}";
                        var counted = await client.CallMutatingAsync<CountResult>("test.count", new { label, amount = i * 1000 + n });
                        if (counted.Label != label || counted.Amount != i * 1000 + n)
                        {
                            wrong.Enqueue($"till-{i} counted {label}/{i * 1000 + n}, got {counted.Label}/{counted.Amount}");
                        }
                    }
                }
            })));

            Assert.Empty(wrong);
            Assert.Equal(Tills * CallsPerTill / 10, harness.Target.CountCalls);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
