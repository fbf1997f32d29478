using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Client;
using Middleware.Host.Operator;

namespace Middleware.Host.Tests.Status;

/// <summary>
/// A real host for the status page tests: the sale host of <see cref="SaleHost"/> with the operator web server on a
/// free loopback port, and a copy of the repository's scripts with one broken pricing script (RU 12's, not the
/// till's site), so the page has a script error to show.
/// </summary>
internal sealed class StatusHost : IAsyncDisposable
{
    public const string BrokenScript = "sites/crous-5/ru-12/pricing.csx";

    private StatusHost(SaleHost sales, Uri baseUrl, string key)
    {
        Sales = sales;
        BaseUrl = baseUrl;
        Key = key;
    }

    public SaleHost Sales { get; }
    public Uri BaseUrl { get; }
    public string Key { get; }

    public static async Task<StatusHost> StartAsync()
    {
        var scripts = Path.Combine(SaleHost.NewRoot(), "scripts");
        CopyTree(Path.Combine(SaleHost.RepositoryRoot(), "scripts"), scripts);
        await File.WriteAllTextAsync(Path.Combine(scripts, BrokenScript), "this is not C# at all;\n");
        var keyFile = Path.Combine(SaleHost.NewRoot(), "operator.key");
        var sales = await SaleHost.StartAsync("--OperatorWeb:Enabled=true", "--OperatorWeb:Url=http://127.0.0.1:0",
            $"--OperatorWeb:AccessKeyFile={keyFile}", $"--Scripting:ScriptsRoot={scripts}");
        var baseUrl = sales.Services.GetRequiredService<OperatorWebAddress>().BaseUrl!;
        return new StatusHost(sales, baseUrl, (await File.ReadAllTextAsync(keyFile)).Trim());
    }

    /// <summary><c>GET /status.json</c> with the access key.</summary>
    public async Task<JsonElement> StatusJsonAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var answer = await http.GetAsync("/status.json");
        answer.EnsureSuccessStatusCode();
        Assert.Equal("application/json", answer.Content.Headers.ContentType!.MediaType);
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>A QR sale of one main dish for <paramref name="holder"/>, paid by Izly; returns its total.</summary>
    public async Task<decimal> SellAsync(MiddlewareClient till, string holder)
    {
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, Sales.Sandbox.IssueQrCode(holder));
        var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" });
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        return paid.GetProperty("totalTtc").GetDecimal();
    }

    /// <summary>The row of <paramref name="key"/> = <paramref name="value"/> in a part's items, or null.</summary>
    public static JsonElement? Row(JsonElement snapshot, string part, string key, string value) =>
        snapshot.GetProperty(part).GetProperty("items").EnumerateArray().Cast<JsonElement?>()
            .FirstOrDefault(r => r!.Value.GetProperty(key).GetString() == value);

    public ValueTask DisposeAsync() => Sales.DisposeAsync();

    private static void CopyTree(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
