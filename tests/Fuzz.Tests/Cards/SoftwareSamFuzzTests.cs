using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Cards.Sam;
using Middleware.Contracts.Readers;
using Xunit.Abstractions;

namespace Middleware.Fuzz.Tests.Cards;

/// <summary>
/// What a card (or something posing as one) sends to the SAM: authentication challenges and proofs of any length and
/// content, diversification inputs of any shape; and the SAM key file's text. The documented refusal is SamException.
/// </summary>
public sealed class SoftwareSamFuzzTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Each key file goes through the host's own loading (a fresh SAM, a file of mode 600): about 3 ms each.</summary>
    private const int KeyFileInputs = 4_000;

    private const string KeyHex = "00112233445566778899AABBCCDDEEFF";

    private static readonly string ValidKeyFile =
        $$"""{"samId":"FUZZ-SAM","systemIdentifier":"CROUS","keys":[{"technology":"Desfire","keyNumber":1,"key":"{{KeyHex}}","exportable":false},{"technology":"UltralightC","keyNumber":2,"key":"{{KeyHex}}","exportable":true},{"technology":"Classic","keyNumber":3,"key":"{{KeyHex}}","exportable":true}]}""";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "mw-fuzz-sam", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Random_challenges_proofs_and_diversifications_are_refused_with_SamException_only()
    {
        var seed = FuzzSettings.Seed;
        using var services = Sam(WriteKeyFile(ValidKeyFile));
        var sam = services.GetRequiredService<ISam>();
        var random = new Random(seed);
        var refused = 0;
        var began = 0;
        const int inputs = 20_000;
        for (var i = 0; i < inputs; i++)
        {
            // Half the inputs name a key the SAM has, with a well-formed diversification, so that the challenge and the
            // proof (what the card sends) are reached; the other half are hostile all the way.
            var wellFormed = random.Next(2) == 0;
            var technology = wellFormed ? (random.Next(2) == 0 ? SamTechnology.Desfire : SamTechnology.UltralightC) : (SamTechnology)random.Next(5);
            var key = new SamKeyReference(technology, wellFormed ? (byte)(technology == SamTechnology.Desfire ? 1 : 2) : (byte)random.Next(5));
            var uid = wellFormed ? RandomArray(random, 7) : ParserFuzz.RandomBytes(random, 12);
            var diversification = wellFormed
                ? new SamDiversification(uid, technology == SamTechnology.Desfire ? (uint)random.Next(1 << 24) : null)
                : new SamDiversification(uid, random.Next(3) == 0 ? null : (uint)random.NextInt64(0, 1L << 32), random.Next(3) == 0 ? (byte)random.Next(256) : null);
            var challenge = random.Next(3) == 0 ? ParserFuzz.RandomBytes(random, 40) : RandomArray(random, random.Next(2) == 0 ? 8 : 16);
            var what = $"input {i} (seed {seed}): {key}, {diversification}, challenge {Convert.ToHexString(challenge)}";
            try
            {
                if (random.Next(4) == 0)
                {
                    using var exported = await sam.ExportDiversifiedKeyAsync(key, diversification, CancellationToken.None);
                    continue;
                }

                using var authentication = await sam.BeginAuthenticationAsync(key, diversification, challenge, CancellationToken.None);
                began++;
                var proof = random.Next(2) == 0 ? ParserFuzz.RandomBytes(random, 40) : RandomArray(random, challenge.Length);
                using var session = await authentication.CompleteAsync(proof, CancellationToken.None);
                Assert.Fail($"A random proof authenticated: {what}");
            }
            catch (SamException)
            {
                refused++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"{what}\nthrew {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        output.WriteLine($"SAM: seed {seed}, {inputs} inputs, {began} authentications begun, {refused} refused");
        Assert.True(began > inputs / 20, "the generator must reach the card's proof");
    }

    [Fact]
    public void Random_and_mutated_key_files_load_or_are_refused_with_SamException_only()
    {
        var seed = FuzzSettings.Seed;
        var valid = Encoding.UTF8.GetBytes(ValidKeyFile);
        string[] fragments = ["{", "}", "[", "]", ",", ":", "\"", "\\u0000", "\\ud800", "\"\\ud800\"", "null", "1e400", "-1", "256", "true", "\"Desfire\"", "\"keys\"", "\"samId\"", "/*", "//", "\u00e9", "\"key\""];
        var loaded = 0;
        var refused = ParserFuzz.Run(KeyFileInputs, seed, random =>
            {
                switch (random.Next(4))
                {
                    case 0:
                        return ParserFuzz.RandomBytes(random, 200);
                    case 1:
                        return ParserFuzz.Mutate(random, valid);
                    default:
                        // Valid JSON structure with one token replaced or inserted: reaches the checks behind the syntax.
                        var text = ValidKeyFile;
                        var at = random.Next(text.Length);
                        var fragment = fragments[random.Next(fragments.Length)];
                        return Encoding.UTF8.GetBytes(random.Next(2) == 0 ? text.Insert(at, fragment) : text[..at] + fragment + text[Math.Min(text.Length, at + random.Next(1, 12))..]);
                }
            },
            bytes =>
            {
                // The host's SAM loads its key file on first use (SamId): a fresh SAM per file.
                using var services = Sam(WriteKeyFile(bytes));
                Assert.False(string.IsNullOrWhiteSpace(services.GetRequiredService<ISam>().SamId));
                loaded++;
            },
            ex => ex is SamException,
            bytes => Encoding.UTF8.GetString(bytes));
        output.WriteLine($"SAM key file: seed {seed}, {KeyFileInputs} inputs, {loaded} loaded, {refused} refused");
        Assert.True(loaded > 0 && refused > 0);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The host's software SAM, registered as the host does (<see cref="SamServiceCollectionExtensions.AddSoftwareSam"/>).</summary>
    private static ServiceProvider Sam(string keyFile)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{SoftwareSamOptions.SectionName}:KeyFile"] = keyFile })
            .Build();
        return new ServiceCollection().AddLogging().AddSoftwareSam(configuration).BuildServiceProvider();
    }

    private static byte[] RandomArray(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private string WriteKeyFile(string text) => WriteKeyFile(Encoding.UTF8.GetBytes(text));

    private string WriteKeyFile(byte[] bytes)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "sam-keys.json");
        File.WriteAllBytes(path, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // the SAM refuses a key file others can read
        }
        return path;
    }
}
