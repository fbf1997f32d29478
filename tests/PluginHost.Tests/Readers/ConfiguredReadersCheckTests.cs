using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.PluginHost.Pcsc;
using Middleware.PluginHost.Readers;

namespace Middleware.PluginHost.Tests.Readers;

public sealed class ConfiguredReadersCheckTests
{
    /// <summary>PC/SC listing fixed readers (the check only lists them), or never answering.</summary>
    private sealed class ListingPcsc(IReadOnlyList<string>? readers) : ISmartCardSystem
    {
        public async Task<IReadOnlyList<string>> ListReadersAsync(CancellationToken cancellationToken)
        {
            if (readers is null)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return readers!;
        }

        public Task<IReadOnlyList<SmartCardReaderStatus>> GetStatusAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SmartCardReaderStatus>> WaitForChangeAsync(IReadOnlyList<SmartCardReaderStatus> known, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ISmartCardConnection> ConnectAsync(string readerName, SmartCardShareMode shareMode, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private static ConfiguredReadersCheck Check(ISmartCardSystem pcsc) => new(pcsc, Options.Create(new List<PointOfSaleOptions>
    {
        new() { Id = "5-1-9-8-14", Readers = ["Reader A", "Tetra 1"], Terminal = "Tetra 1" },
        new() { Id = "5-1-9-8-15", Readers = ["Reader B"] },
    }), NullLogger<ConfiguredReadersCheck>.Instance);

    [Fact]
    public async Task A_reader_pcsc_does_not_list_is_named_by_its_setting_and_a_terminal_is_not_looked_for()
    {
        var missing = await Check(new ListingPcsc(["Reader A", "Other"])).MissingAsync(CancellationToken.None);

        Assert.Equal([("PointsOfSale:1:Readers:0", "Reader B")], missing);
    }

    [Fact]
    public async Task A_pcsc_service_that_does_not_answer_is_given_up_within_the_bound()
    {
        var started = DateTime.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Check(new ListingPcsc(null)).MissingAsync(CancellationToken.None));

        Assert.InRange(DateTime.UtcNow - started, ConfiguredReadersCheck.ListTimeout - TimeSpan.FromMilliseconds(100), ConfiguredReadersCheck.ListTimeout * 3);
    }
}
