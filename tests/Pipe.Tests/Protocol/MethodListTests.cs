using System.Text.RegularExpressions;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Tests.Protocol;

/// <summary>
/// Security issue #18: a till could call <c>tickets.submit</c>, which PROTOCOL.md did not mention, and forge an Izly
/// ticket. Every method the host exposes to tills must be in PROTOCOL.md's method table (with its mutating and operator
/// flags), and every row of the table must be a method the host exposes.
/// </summary>
public sealed partial class MethodListTests
{
    private static readonly string Document = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PROTOCOL.md"));

    [Fact]
    public void The_method_table_and_the_hosts_methods_match_both_ways()
    {
        var registry = HostRegistry();
        var table = MethodTable();

        var undocumented = registry.Capabilities.Where(name => !table.ContainsKey(name)).ToList();
        var notExposed = table.Keys.Where(name => !registry.Capabilities.Contains(name)).ToList();
        Assert.True(undocumented.Count == 0, "Methods tills may call but PROTOCOL.md's method table lacks: " + string.Join(", ", undocumented));
        Assert.True(notExposed.Count == 0, "PROTOCOL.md documents methods the host does not expose: " + string.Join(", ", notExposed));

        Assert.Equal((false, false), table[RpcMethodRegistry.HelloMethod]);
        foreach (var method in registry.Methods)
        {
            Assert.True(table[method.Name] == (method.Mutating, method.Operator),
                $"{method.Name}: the table says mutating={table[method.Name].Mutating} operator={table[method.Name].Operator}, the code mutating={method.Mutating} operator={method.Operator}");
        }
    }

    [Fact]
    public void Every_method_has_a_section_heading()
    {
        var headings = Document.Split('\n').Where(line => line.StartsWith('#')).ToList();
        var missing = HostRegistry().Capabilities.Where(name => !headings.Any(h => h.Contains($"`{name}`", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "No PROTOCOL.md heading names: " + string.Join(", ", missing));
    }

    [Fact]
    public void A_till_cannot_submit_a_ticket_of_its_own()
    {
        var registry = HostRegistry();
        Assert.True(registry.Capabilities.Count > 20, "the host's methods were not found: " + string.Join(", ", registry.Capabilities));
        Assert.DoesNotContain("tickets.submit", registry.Capabilities);
        Assert.False(registry.TryGet("tickets.submit", out _));
    }

    private static RpcMethodRegistry HostRegistry() => HostMethods.Registry();

    /// <summary>The rows of section 4's table: <c>| `name` | yes/no | yes/no | what |</c>.</summary>
    private static Dictionary<string, (bool Mutating, bool Operator)> MethodTable()
    {
        var rows = new Dictionary<string, (bool, bool)>(StringComparer.Ordinal);
        foreach (Match row in TableRow().Matches(Document))
        {
            Assert.True(rows.TryAdd(row.Groups[1].Value, (row.Groups[2].Value == "yes", row.Groups[3].Value == "yes")), $"{row.Groups[1].Value} has two rows");
        }

        return rows;
    }

    [GeneratedRegex(@"^\| `([a-zA-Z.]+)` \| (yes|no) \| (yes|no) \| [^|\n]+ \|\r?$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
