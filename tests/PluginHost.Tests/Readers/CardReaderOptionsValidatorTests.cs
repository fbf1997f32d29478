using Middleware.PluginHost.Readers;

namespace Middleware.PluginHost.Tests.Readers;

public sealed class CardReaderOptionsValidatorTests
{
    [Fact]
    public void The_defaults_pass_and_each_bad_delay_is_named_with_its_value()
    {
        Assert.True(new CardReaderOptionsValidator().Validate(null, new CardReaderOptions()).Succeeded);

        var failures = new CardReaderOptionsValidator().Validate(null, new CardReaderOptions
        {
            StatusWaitTimeout = TimeSpan.Zero,
            Debounce = TimeSpan.FromSeconds(2),
            ReadBudget = TimeSpan.FromSeconds(-1),
        }).Failures!.ToList();

        Assert.Equal(
        [
            "CardReaders:StatusWaitTimeout: '00:00:00' must be positive.",
            "CardReaders:ReadBudget: '-00:00:01' must be positive.",
            "CardReaders:Debounce: '00:00:02' must be from 0 to 1 s.",
        ], failures);
    }
}
