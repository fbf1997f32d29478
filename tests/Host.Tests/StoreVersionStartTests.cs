using Microsoft.Data.Sqlite;

namespace Middleware.Host.Tests;

/// <summary>The real host, with the shipped settings, on a store a newer version wrote: it must not start, must say which
/// file and which versions, and must leave the file as it was.</summary>
public sealed class StoreVersionStartTests
{
    [Theory]
    [InlineData("tickets.db", "tickets")]
    [InlineData("payments.db", "payments")]
    [InlineData("payments.db", "sales")]
    [InlineData("idempotency.db", "idempotency")]
    [InlineData("reference.db", "reference")]
    public async Task A_store_of_a_newer_version_stops_the_host_at_start_and_is_left_byte_identical(string file, string store)
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        var path = Path.Combine(root, file);
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE schema_version (store TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID; INSERT INTO schema_version VALUES ($s, 99);";
            cmd.Parameters.AddWithValue("$s", store);
            cmd.ExecuteNonQuery();
        }

        var before = await File.ReadAllBytesAsync(path);
        var pipeName = "mwh-" + Guid.NewGuid().ToString("N")[..10];
        using var host = MiddlewareHost.CreateBuilder([$"--Pipe:PipeName={pipeName}", "--Host:Mode=console", .. HostStartTests.SandboxArguments(root)], root).Build();

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains($"{path}: the {store} store is at schema version 99, newer than the highest this build knows", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task The_sandbox_s_store_of_a_newer_version_is_left_byte_identical_and_the_host_runs_without_its_sandbox()
    {
        // The embedded sandbox is a demo fixture: a sandbox that fails to start is logged and the host runs on, its
        // clients reporting the API unreachable (EmbeddedSandboxService); its file is still refused untouched.
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        var path = Path.Combine(root, "sandbox.db");
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE schema_version (store TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID; INSERT INTO schema_version VALUES ('sandbox', 99);";
            cmd.ExecuteNonQuery();
        }

        var before = await File.ReadAllBytesAsync(path);
        var pipeName = "mwh-" + Guid.NewGuid().ToString("N")[..10];
        using (var host = MiddlewareHost.CreateBuilder([$"--Pipe:PipeName={pipeName}", "--Host:Mode=console", .. HostStartTests.SandboxArguments(root)], root).Build())
        {
            await host.StartAsync();
            await host.StopAsync();
        }


        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        var log = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(Path.Combine(root, "logs"), "middleware-*.log")));
        Assert.Contains($"{path}: the sandbox store is at schema version 99, newer than the highest this build knows (1)", log, StringComparison.Ordinal);
    }
}
