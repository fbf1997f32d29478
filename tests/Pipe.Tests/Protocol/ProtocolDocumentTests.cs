using System.Text.RegularExpressions;
using Middleware.Domain.Errors;
using Middleware.Pipe.Protocol;

namespace Middleware.Pipe.Tests.Protocol;

/// <summary>PROTOCOL.md is what till developers read: it must list every code with the exact French message.</summary>
public sealed partial class ProtocolDocumentTests
{
    private static readonly string Document = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PROTOCOL.md"));

    [Fact]
    public void Every_middleware_error_code_is_documented_with_its_french_message()
    {
        var missing = Enum.GetValues<ErrorCode>()
            .Where(code => !Document.Contains($"| {(int)code} | {code} | {ErrorMessages.For(code)} |", StringComparison.Ordinal))
            .Select(code => $"| {(int)code} | {code} | {ErrorMessages.For(code)} |")
            .ToList();

        Assert.True(missing.Count == 0, "PROTOCOL.md lacks these rows:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Every_code_has_its_own_message_and_every_json_rpc_code_is_documented()
    {
        Assert.All(Enum.GetValues<ErrorCode>(), code => Assert.True(ErrorMessages.Has(code), $"{code} has no French message"));
        foreach (var (code, message) in ProtocolErrors.StandardMessages)
        {
            Assert.Matches(new Regex($@"\| {code} \| [^|]+ \| {Regex.Escape(message)} \|"), Document);
        }
    }

    [Fact]
    public void Every_built_in_method_and_notification_is_documented()
    {
        foreach (var name in new[] { "hello", "ping", "plugins.status", "readers.list" }.Concat(NotificationNames.All))
        {
            Assert.Contains($"\"method\":\"{name}\"", Document, StringComparison.Ordinal);
        }

        Assert.Contains("/run/izly-middleware/izly-middleware.sock", Document, StringComparison.Ordinal);
        Assert.Contains(@"\\.\pipe\izly-middleware", Document, StringComparison.Ordinal);
    }
}
