using System.Security.Cryptography;
using Middleware.Cards.Crypto;
using Middleware.Contracts.Readers;
using Xunit.Abstractions;

namespace Middleware.Fuzz.Tests.Cards;

/// <summary>
/// DESFire EV1 answers (cards.md §3) as a card or an attacker may send them, into the reader's secure messaging:
/// random data, statuses, modes and expected lengths. The documented refusal is CryptographicException; a negative
/// expected length is the caller's error (ArgumentOutOfRangeException).
/// </summary>
public sealed class SecureMessagingFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 100_000;

    private static readonly int?[] Lengths = [null, null, 0, 1, 4, 8, 12, 16, 28, 29, 32, 44, -1, -4, -5, int.MaxValue, int.MaxValue - 3, int.MinValue];

    [Theory]
    [InlineData(DesfireKeyType.Aes128)]
    [InlineData(DesfireKeyType.TwoKey3Des)]
    public void Random_answers_are_unprotected_or_refused_with_CryptographicException(DesfireKeyType type)
    {
        var seed = FuzzSettings.Seed;
        var key = new byte[16];
        new Random(seed).NextBytes(key);
        using var messaging = new Ev1SecureMessaging(type, key);
        var refused = ParserFuzz.Run(Inputs, seed, random => new Answer(
                random.Next(3) == 0 ? ParserFuzz.RandomBytes(random, 80) : Blocks(random),
                (byte)(random.Next(4) == 0 ? random.Next(256) : 0),
                (SecureMessagingMode)random.Next(3),
                Lengths[random.Next(Lengths.Length)]),
            answer => messaging.UnprotectResponse(answer.Data, answer.Status, answer.Mode, answer.ExpectedLength),
            ex => ex is CryptographicException || (ex is ArgumentOutOfRangeException && ex.Message.Contains("expectedLength", StringComparison.Ordinal)),
            answer => answer.ToString());
        output.WriteLine($"{type}: seed {seed}, {Inputs} answers, {refused} refused");
        Assert.InRange(refused, Inputs * 9 / 10, Inputs); // random data almost never carries a right MAC or CRC
    }

    private static byte[] Blocks(Random random)
    {
        var data = new byte[8 * random.Next(1, 7)];
        random.NextBytes(data);
        return data;
    }

    private sealed record Answer(byte[] Data, byte Status, SecureMessagingMode Mode, int? ExpectedLength)
    {
        public override string ToString() => $"{Mode} status {Status:X2} expected {ExpectedLength?.ToString() ?? "?"}: {Convert.ToHexString(Data)}";
    }
}
