using System.Globalization;
using Microsoft.Extensions.Options;

namespace Middleware.Cards.Pcsc;

/// <summary>Checks the <c>Pcsc</c> section at start, naming each bad value: a known scope, a bounded pool of idle
/// contexts, a receive buffer that holds a short APDU's answer (256 bytes and the status word) without being
/// unbounded, a removal check window from 0 to 10 s.</summary>
internal sealed class PcscOptionsValidator : IValidateOptions<PcscOptions>
{
    private const string Section = PcscOptions.SectionName;

    /// <summary>The smallest buffer that holds a short APDU's longest answer: 256 data bytes and SW1 SW2.</summary>
    internal const int MinReceiveBufferSize = 258;

    /// <summary>An extended APDU's longest answer: 65,536 data bytes and SW1 SW2.</summary>
    internal const int MaxReceiveBufferSize = 65_538;

    public ValidateOptionsResult Validate(string? name, PcscOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Scope))
        {
            failures.Add($"{Section}:Scope: '{options.Scope}' must be User or System.");
        }

        if (options.MaxIdleContexts is < 0 or > 64)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:MaxIdleContexts: '{options.MaxIdleContexts}' must be from 0 to 64."));
        }

        if (options.ReceiveBufferSize is < MinReceiveBufferSize or > MaxReceiveBufferSize)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:ReceiveBufferSize: '{options.ReceiveBufferSize}' must be from {MinReceiveBufferSize} to {MaxReceiveBufferSize} bytes."));
        }

        if (options.RemovalCheckWindow < TimeSpan.Zero || options.RemovalCheckWindow > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{Section}:RemovalCheckWindow: '{options.RemovalCheckWindow}' must be from 0 to 10 s.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
