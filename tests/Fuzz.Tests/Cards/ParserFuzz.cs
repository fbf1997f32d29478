using System.Diagnostics;

namespace Middleware.Fuzz.Tests.Cards;

/// <summary>
/// Runs a parser on many seeded inputs and checks the one rule of hostile-input parsing: it returns, or it throws its
/// documented exception; never anything else (IndexOutOfRange, NullReference, Overflow...), and never slowly.
/// </summary>
internal static class ParserFuzz
{
    /// <summary>Longest any single call may take: the parsers here are a few dozen bytes of work.</summary>
    private static readonly TimeSpan SlowCall = TimeSpan.FromSeconds(1);

    /// <returns>How many inputs were refused with the documented exception.</returns>
    public static int Run<TInput>(
        int count,
        int seed,
        Func<Random, TInput> generate,
        Action<TInput> parse,
        Func<Exception, bool> documented,
        Func<TInput, string> describe)
    {
        var random = new Random(seed);
        var refused = 0;
        var clock = new Stopwatch();
        for (var i = 0; i < count; i++)
        {
            var input = generate(random);
            clock.Restart();
            try
            {
                parse(input);
            }
            catch (Exception ex) when (documented(ex))
            {
                refused++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"Input {i} (seed {seed}, replay with MW_FUZZ_SEED={seed}): {describe(input)}\nthrew {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }

            clock.Stop();
            Assert.True(clock.Elapsed < SlowCall, $"Input {i} (seed {seed}) took {clock.Elapsed.TotalMilliseconds:F0} ms: {describe(input)}");
        }

        return refused;
    }

    /// <summary><paramref name="valid"/> with 1 to 4 random bytes changed, or cut, or lengthened.</summary>
    public static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                var longer = new byte[bytes.Length + random.Next(1, 8)];
                bytes.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(bytes.Length));
                return longer;
            default:
                for (var flips = random.Next(1, 5); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
        }
    }

    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }
}
