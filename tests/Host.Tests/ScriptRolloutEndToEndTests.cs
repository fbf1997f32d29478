using System.Diagnostics;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue #17, script roll-out, through the real parts: the built <c>mwctl scripts deploy</c> (its own process) swaps
/// the scripts root of a running host, whose script watcher picks the swap up: the next <c>sale.quote</c> has the new
/// price; <c>mwctl scripts rollback</c> brings the old one back.
/// </summary>
public sealed class ScriptRolloutEndToEndTests : IDisposable
{
    /// <summary>RU 9's local price of a main dish (1201) for the guest a new sale starts with (8000/1), in version 2.</summary>
    private const decimal Version2Price = 7.35m;

    private readonly string work = SaleHost.NewRoot();

    [Fact]
    public async Task A_deploy_to_a_running_hosts_scripts_root_changes_the_next_quote_and_a_rollback_restores_it()
    {
        var root = CopyOfShippedScripts("install/scripts");
        await using var host = await SaleHost.StartAsync($"--Scripting:ScriptsRoot={root}", "--Scripting:DebounceMilliseconds=100");
        await using var till = await host.ConnectAsync();
        var before = await QuoteAsync(till);
        Assert.NotEqual(Version2Price, before.Dish);

        // Version 2, as Crous IT commit it: RU 9 sells the main dish to guests at its own price.
        var checkout = CopyOfShippedScripts("checkout");
        var prices = Path.Combine(checkout, "sites/crous-5/ru-9/prices.json");
        var text = await File.ReadAllTextAsync(prices);
        await File.WriteAllTextAsync(prices, text.Replace("\"prix\": [", $"\"prix\": [\n    {{ \"codeArticle\": 1201, \"codeSociete\": 8000, \"codeTarif\": 1, \"prixTtc\": {Version2Price.ToString(System.Globalization.CultureInfo.InvariantCulture)} }},", StringComparison.Ordinal));

        var deploy = await MwctlAsync("scripts", "deploy", checkout, "--to", root);
        Assert.True(deploy.Code == 0, deploy.Output);
        var after = await QuoteUntilAsync(till, Version2Price, "the deployed price");
        Assert.Equal(before.Total - before.Dish + Version2Price, after.Total);

        var rollback = await MwctlAsync("scripts", "rollback", "--to", root);
        Assert.True(rollback.Code == 0, rollback.Output);
        Assert.Equal(before, await QuoteUntilAsync(till, before.Dish, "the price before the deploy"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A new sale of one main dish, quoted: the dish's unit price (as the sale shows it) and the Izly total.</summary>
    private static async Task<(decimal Dish, decimal Total)> QuoteAsync(MiddlewareClient till)
    {
        var saleId = await TillSteps.OpenMealAsync(till);
        var sale = await TillSteps.GetSaleAsync(till, saleId);
        var quote = await till.CallAsync("sale.quote", new { saleId });
        await till.CallMutatingAsync("sale.cancel", new { saleId });
        var dish = sale.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("codeArticle").GetInt32() == 1201).GetProperty("unitPriceTtc").GetDecimal();
        return (dish, quote.GetProperty("totals").GetProperty("izly").GetDecimal());
    }

    /// <summary>Quotes until the dish is priced <paramref name="dish"/> (the watcher reloads after its debounce), 30 s at most.</summary>
    private static async Task<(decimal Dish, decimal Total)> QuoteUntilAsync(MiddlewareClient till, decimal dish, string what) =>
        await TillSteps.WaitForAsync(() => QuoteAsync(till), q => q.Dish == dish, TimeSpan.FromSeconds(30), what);

    private string CopyOfShippedScripts(string relative)
    {
        var source = Path.Combine(SaleHost.RepositoryRoot(), "scripts");
        var target = Path.Combine(work, relative);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    // mwctl from its own build output (the copy beside these tests runs on the host's framework set, not mwctl's).
    private static async Task<(int Code, string Output)> MwctlAsync(params string[] arguments)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var mwctl = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Middleware.Cli", configuration, "mwctl.dll"));
        var info = new ProcessStartInfo(Security.HostProcess.DotnetPath()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[mwctl, .. arguments])
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
    }
}
