using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Xunit;
using Xunit.Abstractions;

namespace Middleware.PluginHost.Tests;

/// <summary>
/// The host reads which contract a plugin was compiled against from its assembly reference, before loading any of its
/// types: a plugin built on contract 1.0 (whose IReaderPlugin 2.0 removed) is refused with the version it needs, not
/// with a TypeLoadException. The old plugin is compiled here, against a stand-in contract assembly of version 1.0.
/// </summary>
public sealed class ContractReferenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_plugin_compiled_against_contract_1_is_NotSupported_and_says_which_version_it_needs()
    {
        await using var bed = new PluginTestBed(output);
        var folder = Path.Combine(bed.Root, "old");
        Directory.CreateDirectory(folder);
        var oldContract = Compile("Middleware.Contracts", "1.0.0.0", """
            namespace Middleware.Contracts.Readers { public interface IReaderPlugin { } }
            """);
        var plugin = Compile("TestPlugin.Old", "1.0.0.0", """
            namespace TestPlugin.Old { public sealed class OldPlugin : Middleware.Contracts.Readers.IReaderPlugin { } }
            """, MetadataReference.CreateFromImage(oldContract));
        await File.WriteAllBytesAsync(Path.Combine(folder, "TestPlugin.Old.dll"), plugin);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(
            PluginTestBed.Entry("test.old", "old", "TestPlugin.Old.dll"),
            PluginTestBed.Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);

        var status = catalog.StatusOf("test.old");
        Assert.Equal(PluginState.NotSupported, status.State);
        Assert.Contains("Compiled against Middleware.Contracts 1.0", status.Reason);
        Assert.Contains($"this host has contract {ContractInfo.Version}", status.Reason);
        Assert.Contains("needs a host with contract 1.x", status.Reason);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport); // the others still load
    }

    [Fact]
    public void The_contract_assembly_version_is_the_contract_version()
    {
        var version = typeof(IPlugin).Assembly.GetName().Version!;
        Assert.Equal(ContractInfo.Major, version.Major);
        Assert.Equal(ContractInfo.Minor, version.Minor);
        var sdk = typeof(Middleware.Plugins.Sdk.Pcsc.PcscCardPluginBase).Assembly.GetName().Version!;
        Assert.Equal((ContractInfo.Major, ContractInfo.Minor), (sdk.Major, sdk.Minor));
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_refused_before_loading()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mw-notasm-{Guid.NewGuid():N}.dll");
        File.WriteAllText(path, "MZ but not really");
        try
        {
            var failure = PluginLoading.CheckReferences(path);
            Assert.NotNull(failure);
            Assert.Equal(PluginState.NotSupported, failure.State);
            Assert.Contains("cannot be read as an assembly", failure.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Compile(string name, string version, string source, params MetadataReference[] references)
    {
        var tree = CSharpSyntaxTree.ParseText($"[assembly: System.Reflection.AssemblyVersion(\"{version}\")]\n" + source);
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        MetadataReference[] framework = [.. new[] { "System.Runtime.dll", "System.Private.CoreLib.dll" }.Select(f => MetadataReference.CreateFromFile(Path.Combine(runtime, f)))];
        var compilation = CSharpCompilation.Create(name, [tree], [.. framework, .. references], new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return stream.ToArray();
    }
}
