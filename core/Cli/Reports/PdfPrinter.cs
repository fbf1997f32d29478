using System.Diagnostics;

namespace Middleware.Cli.Reports;

/// <summary>Turns an HTML file into a PDF with the installed Chromium, headless (<c>$MWCTL_CHROMIUM</c>, else
/// chromium, chromium-browser or google-chrome on the PATH). Bounded: a browser that does not finish in time is killed.</summary>
internal static class PdfPrinter
{
    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome"];

    public static string? FindBrowser()
    {
        if (Environment.GetEnvironmentVariable("MWCTL_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => Candidates.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Prints <paramref name="htmlPath"/> to <paramref name="pdfPath"/>; throws with Chromium's own words when it fails.</summary>
    public static async Task PrintAsync(string htmlPath, string pdfPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var browser = FindBrowser() ?? throw new InvalidOperationException("no Chromium found (install chromium, or set MWCTL_CHROMIUM to its path)");
        var profile = Directory.CreateTempSubdirectory("mwctl-chromium-");
        try
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--disable-gpu", "--no-sandbox", "--no-pdf-header-footer", "--user-data-dir=" + profile.FullName,
                "--print-to-pdf=" + Path.GetFullPath(pdfPath), new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{browser} did not start");
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not print the PDF within {timeout.TotalSeconds:0} s");
            }

            if (process.ExitCode != 0 || !File.Exists(pdfPath) || new FileInfo(pdfPath).Length == 0)
            {
                throw new InvalidOperationException($"Chromium failed (exit {process.ExitCode}): {(await stderr).Trim()}");
            }
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
