using Middleware.Plugins.Testing;

namespace Middleware.PluginKit.Tests.Reporting;

public sealed class ConformanceReportTests
{
    [Fact]
    public void The_table_shows_each_row_and_ThrowIfFailed_names_the_failures()
    {
        var report = new ConformanceReport("reader.acme", "reader (fake PC/SC)",
        [
            new ConformanceCheck("contract version", true, "metadata 2.0", TimeSpan.FromMilliseconds(3)),
            new ConformanceCheck("claim < 50 ms", false, "claim 1 took 2001 ms", TimeSpan.FromMilliseconds(2001)),
        ]);

        var text = report.ToText();
        var thrown = Assert.Throws<ConformanceException>(report.ThrowIfFailed);

        Assert.Contains("1/2 checks passed", text, StringComparison.Ordinal);
        Assert.Contains("| FAIL   |    2001 | claim 1 took 2001 ms", text, StringComparison.Ordinal);
        Assert.Contains("| pass   |       3 | metadata 2.0", text, StringComparison.Ordinal);
        Assert.Equal("claim < 50 ms", Assert.Single(thrown.Report.Failures).Name);
    }

    [Fact]
    public void A_report_without_checks_does_not_pass()
    {
        var report = new ConformanceReport("reader.acme", "reader", []);

        Assert.False(report.Passed);
        Assert.Throws<ConformanceException>(report.ThrowIfFailed);
    }
}
