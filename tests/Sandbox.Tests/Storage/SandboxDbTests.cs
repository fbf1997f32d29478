using Dapper;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Storage;

namespace Middleware.Sandbox.Tests.Storage;

public sealed class SandboxDbTests
{
    [Fact]
    public async Task Concurrent_writes_commit_together_and_a_failing_one_rolls_back_only_itself()
    {
        var path = Path.Combine(Path.GetTempPath(), "mw-sandbox-tests", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var db = new SandboxDb(path))
        {
            db.Initialise(SandboxSeed.Create(SandboxHarness.Start));
            var writes = Enumerable.Range(0, 40).Select(i => db.WriteAsync((c, tx) =>
            {
                c.Execute("INSERT INTO meta(key, value) VALUES (@k, 'v')", new { k = $"k{i}" }, tx);
                if (i == 7)
                {
                    throw new InvalidOperationException("boom");
                }

                return i;
            }, CancellationToken.None)).ToList();

            var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => writes[7]);
            Assert.Equal("boom", failed.Message);
            foreach (var (w, i) in writes.Select((w, i) => (w, i)).Where(x => x.i != 7))
            {
                Assert.Equal(i, await w);
            }

            using var c = db.Read();
            Assert.Equal(39, c.ExecuteScalar<long>("SELECT COUNT(*) FROM meta WHERE key LIKE 'k%'"));
            Assert.Equal(0, c.ExecuteScalar<long>("SELECT COUNT(*) FROM meta WHERE key = 'k7'"));
        }

        File.Delete(path);
    }
}
