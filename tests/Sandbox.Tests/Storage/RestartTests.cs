using System.Diagnostics;
using System.Net;
using Middleware.Sandbox.Seed;

namespace Middleware.Sandbox.Tests.Storage;

public sealed class RestartTests
{
    [Fact]
    public async Task State_survives_a_restart_on_the_same_database_file()
    {
        await using var h = await SandboxHarness.StartAsync();
        var token = await h.TokenAsync();
        var qr = h.Server.IssueQrCode("1000002");
        using (var t = await h.PostTicketAsync(token, h.ValidTicket()))
        {
            Assert.Equal(HttpStatusCode.Created, t.StatusCode);
        }

        using (var d = await h.DebitQrAsync(qr, 200, "r-1"))
        {
            Assert.Equal(HttpStatusCode.OK, d.StatusCode);
        }

        await h.Server.SetKeyRevokedAsync(SandboxSeed.SecondTill, true);

        await h.RestartAsync();

        Assert.Equal(300, await h.Server.GetBalanceAsync("1000002"));
        Assert.Single(await h.Server.GetTicketsAsync());
        Assert.Single(await h.Server.GetTransactionsAsync());
        // The token issued before the restart is still valid; the ticket is still a duplicate; the QR still used.
        using (var again = await h.PostTicketAsync(token, h.ValidTicket()))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using (var reused = await h.DebitQrAsync(qr, 200, "r-2"))
        {
            Assert.Equal("-62", (await SandboxHarness.ErrorAsync(reused)).Code);
        }

        using (var revoked = await h.AuthenticateAsync(SandboxSeed.SecondTill.ToString(), SandboxHarness.Key(SandboxSeed.SecondTill)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, revoked.StatusCode);
        }

        // QR keys are kept too: a code issued before the restart still verifies.
        using var search = await h.SearchQrAsync(h.Server.IssueQrCode("1000001"));
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);

        // Expiring tokens is durable as well.
        await h.Server.ExpireAllTokensAsync();
        await h.RestartAsync();
        using var expired = await h.GetVemAsync("tva", token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task The_standalone_command_serves_on_a_free_port_and_keeps_its_file()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-sandbox-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "standalone.db");
        var dll = Path.Combine(AppContext.BaseDirectory, "Middleware.Sandbox.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--port", "0", "--db", db, "--quiet" })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        try
        {
            string? url = null;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (url is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("Sandbox exited: " + await process.StandardError.ReadToEndAsync());
                if (line.StartsWith("SANDBOX_URL=", StringComparison.Ordinal))
                {
                    url = line["SANDBOX_URL=".Length..];
                }
            }

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            using var health = await http.GetAsync("_sandbox/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var seed = await http.GetAsync("_sandbox/seed");
            Assert.Contains("5-1-9-8-14", await seed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(File.Exists(db));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
                // Left behind: harmless.
            }
        }
    }
}
