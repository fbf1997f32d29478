using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Tests.Integration;
using Xunit;
using Xunit.Abstractions;

namespace Middleware.Tickets.Tests.Crash;

/// <summary>
/// kill -9 of a process committing tickets (tests/Tickets.CrashHost, the real commit path on a real SQLite file) at
/// random moments, then a drain to the real sandbox. Short profile in the normal run (5 kills, 200 tickets); the full
/// profile (20 kills, 2,000 tickets) with <c>MW_TICKETS_CRASH_FULL=1</c>, e.g.
/// <c>MW_TICKETS_CRASH_FULL=1 dotnet test tests/Tickets.Tests --filter "Category=Crash"</c>.
/// </summary>
[Trait("Category", "Crash")]
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_at_random_while_committing_every_acknowledged_ticket_reaches_the_sandbox_once_without_gaps()
    {
        var full = Environment.GetEnvironmentVariable("MW_TICKETS_CRASH_FULL") == "1";
        var total = full ? 2000 : 200;
        var kills = full ? 20 : 5;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"profile: {total} tickets, {kills} kills, seed {seed}");

        var dir = Path.Combine(Path.GetTempPath(), "mw-tickets-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "tickets.db");
        var acks = new Dictionary<int, (string Pos, string Id, string Numero)>();
        var killed = 0;
        var done = false;
        for (var run = 0; !done && run < kills + 5; run++)
        {
            // Spread the kills over the tickets still to come, so the host never finishes before the last kill.
            var remaining = total - acks.Count;
            var killAfter = killed < kills ? random.Next(1, Math.Max(2, 2 * remaining / (kills - killed + 1))) : int.MaxValue;
            (done, var wasKilled) = await RunHostAsync(db, total, killAfter, acks);
            killed += wasKilled ? 1 : 0;
        }

        output.WriteLine($"killed {killed} times, {acks.Count} tickets acknowledged");
        Assert.True(done, "the host finished after the kills");
        Assert.Equal(kills, killed);
        Assert.Equal(total, acks.Count);

        // Numbering: unique, sequential, gap-free per point of sale; every acknowledged ticket is on disk with its numbers.
        var stored = ReadStore(db);
        foreach (var group in stored.GroupBy(t => t.Pos))
        {
            var ids = group.Select(t => t.Id).OrderBy(x => x).ToList();
            Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), ids);
            Assert.Equal(ids.Count, group.Select(t => t.Numero).Distinct().Count());
        }

        Assert.Equal(total, stored.Count);
        var byRequest = stored.ToDictionary(t => (t.Pos, t.RequestId));
        foreach (var (i, ack) in acks)
        {
            var row = byRequest[(ack.Pos, "req-" + i.ToString(CultureInfo.InvariantCulture))];
            Assert.Equal((ack.Id, ack.Numero), (row.Id.ToString(CultureInfo.InvariantCulture), row.Numero));
        }

        // Drain to the real sandbox: each ticket exactly once, in order.
        await using (var sandbox = await SandboxHarness.StartAsync(dir))
        {
            await using var f = new TicketFixture(directory: dir, time: new FakeTimeProvider(DateTimeOffset.UtcNow), catalog: sandbox.Seed, uploader: sandbox.Uploader,
                options: new TicketsOptions { VersionLogiciel = "crash-test", DatabasePath = db });
            var (sent, dead) = await f.DrainReadyAsync();
            Assert.Equal((total, 0), (sent, dead));
            var inSandbox = await sandbox.Server.GetTicketsAsync();
            Assert.Equal(total, inSandbox.Count);
            Assert.Equal(total, inSandbox.Select(t => (t.AppId, t.IdTicketEntete)).Distinct().Count());
            foreach (var group in inSandbox.GroupBy(t => t.AppId))
            {
                Assert.Equal(Enumerable.Range(1, group.Count()).Select(i => i.ToString(CultureInfo.InvariantCulture)), group.Select(t => t.IdTicketEntete));
            }

            foreach (var (_, ack) in acks)
            {
                Assert.Contains(inSandbox, t => t.AppId == ack.Pos && t.IdTicketEntete == ack.Id && t.NumeroTicket == ack.Numero);
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Runs the host until DONE or until <paramref name="killAfter"/> new acknowledgements, then kill -9.
    /// A ticket acknowledged twice (before and after a crash) must carry the same numbers.</summary>
    private static async Task<(bool Done, bool Killed)> RunHostAsync(string db, int total, int killAfter, Dictionary<int, (string, string, string)> acks)
    {
        // Run it from its own output folder (artifacts layout: bin/<project>/<config>/), with its own deps.json.
        var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var host = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Middleware.Tickets.CrashHost", config, "Middleware.Tickets.CrashHost.dll"));
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { host, db, total.ToString(CultureInfo.InvariantCulture), "8" })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var fresh = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == "DONE")
            {
                await process.WaitForExitAsync(timeout.Token);
                return (true, false);
            }

            var p = line.Split(' ');
            Assert.Equal("ACK", p[0]);
            var i = int.Parse(p[1], CultureInfo.InvariantCulture);
            var ack = (p[2], p[3], p[4]);
            if (acks.TryGetValue(i, out var earlier))
            {
                Assert.Equal(earlier, ack);
            }
            else
            {
                acks[i] = ack;
                if (++fresh >= killAfter)
                {
                    process.Kill(entireProcessTree: true); // SIGKILL on Linux: kill -9
                    await process.WaitForExitAsync(timeout.Token);
                    return (false, true);
                }
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        Assert.Fail($"host exited with {process.ExitCode} before DONE: {await stderr}");
        return (false, false);
    }

    private static List<(string Pos, long Id, string Numero, string RequestId)> ReadStore(string db)
    {
        var list = new List<(string, long, string, string)>();
        using var c = new TicketDatabase(db).Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT pos, id, numero, request_id FROM tickets";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3)));
        }

        return list;
    }
}
