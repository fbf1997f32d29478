using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Middleware.Host.Tests.Status;

/// <summary>
/// The operator status page in a real headless Chromium (Debian's /usr/bin/chromium, no download): logged in by its
/// /login?key= address, it shows the plugins, the outbox and the day's total, and a sale made meanwhile appears by
/// itself (the page's script fetches /status.json), without a reload. Screenshots go to TestResults/screenshots.
/// </summary>
[Trait("Category", "Browser")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StatusPageBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server"];

    [Fact]
    public async Task The_page_shows_plugins_outbox_and_the_days_total_and_updates_itself_after_a_sale()
    {
        // Never a skip: CI installs chromium (.ci/run); a machine without it fails here, saying what is missing.
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (the browser tests never download one).");
        var screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(screenshots);
        output.WriteLine($"Screenshots: {screenshots}");

        await using var host = await StatusHost.StartAsync();
        await using var till = await host.Sales.ConnectAsync();
        var pos = SaleHost.Till.ToString();
        var first = await host.SellAsync(till, "1000018");
        await TillSteps.WaitForAsync(() => host.StatusJsonAsync(), s => StatusHost.Row(s, "outbox", "pointOfSale", pos)?.GetProperty("sent").GetInt32() == 1,
            TimeSpan.FromSeconds(60), "the first ticket sent to VEM");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 2000 } });
        var loads = 0;
        page.Load += (_, _) => loads++;
        await page.GotoAsync(new Uri(host.BaseUrl, "/login?key=" + Uri.EscapeDataString(host.Key)).ToString());

        // The login cookie took the page to / (the key is not left in the address).
        Assert.Equal(new Uri(host.BaseUrl, "/").ToString(), page.Url);
        await Assertions.Expect(page.Locator("#part-plugins")).ToContainTextAsync("channel.qr");
        var outbox = page.Locator("#part-outbox tbody tr", new PageLocatorOptions { HasText = pos });
        await Assertions.Expect(outbox).ToContainTextAsync(pos);
        Assert.Equal(["0", "1", "0"], await CellsAsync(outbox, 1, 3));
        var hostTotal = page.Locator("#part-dayTotals tbody tr", new PageLocatorOptions { HasText = "host" });
        Assert.Equal(Money(first), (await CellsAsync(hostTotal, 6, 1))[0]);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "status-page-first-sale.png"), FullPage = true });
        Assert.Equal(1, loads);

        // Another sale: the page's own refresh shows it within 10 s, with no new page load.
        var second = await host.SellAsync(till, "1000019");
        await Assertions.Expect(hostTotal.Locator("td").Nth(6)).ToHaveTextAsync(Money(first + second), new LocatorAssertionsToHaveTextOptions { Timeout = 10_000 });
        await Assertions.Expect(hostTotal.Locator("td").Nth(2)).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#refresh")).ToContainTextAsync("Mis à jour");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "status-page-after-second-sale.png"), FullPage = true });
        Assert.Equal(1, loads);
        output.WriteLine($"Screenshots written: {string.Join(", ", Directory.GetFiles(screenshots, "status-page-*.png"))}");
    }

    private static async Task<string[]> CellsAsync(ILocator row, int from, int count)
    {
        var cells = await row.First.Locator("td").AllInnerTextsAsync();
        return [.. cells.Skip(from).Take(count).Select(c => c.Trim())];
    }

    private static string Money(decimal amount) => amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
