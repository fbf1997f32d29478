using System.Diagnostics;
using Middleware.Plugins.Testing;
using Middleware.VirtualCards.Izly;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>Finds the plugins' build output (beside this test project's under the artifacts folder) and publishes reports.</summary>
internal static class KitPlugins
{
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Middleware.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Middleware.sln).");
        }
    }

    public static string OutputOf(string project)
    {
        // .artifacts/<slot>/bin/Middleware.PluginKit.Tests/<pivot>/ -> .artifacts/<slot>/bin/<project>/<pivot>/
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var directory = Path.Combine(own.Parent!.Parent!.FullName, project, own.Name);
        return Directory.Exists(directory)
            ? directory
            : throw new InvalidOperationException($"Plugin output not found at {directory}: build tests/PluginKit.Tests first.");
    }

    /// <summary>Writes the report's table to the test output and to <c>.artifacts/kit/&lt;name&gt;.txt</c> (for CI).</summary>
    public static void Publish(ITestOutputHelper output, ConformanceReport report, string name)
    {
        var text = report.ToText();
        output.WriteLine(text);
        var folder = Path.Combine(RepositoryRoot, ".artifacts", "kit");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".txt"), text);
    }
}

/// <summary>Virtual Izly DESFire cards personalised with the sandbox's public demo SAM keys.</summary>
internal static class KitDesfireCards
{
    public static string SamKeyFile => DemoSamKeys.KeyFileJson();

    public static KitCard Izly(string idSupport, string uidHex)
    {
        var zdc = new ZdcDescription { IdSupport = idSupport, NumeroApplicatif = "0123456789ABCD", Crous = 5 };
        var card = IzlyVirtualCards.FromZdc(zdc, Convert.FromHexString(uidHex), new IzlyCardKeys(DemoSamKeys.DesfireReadMasterKey));
        return KitCard.FromVirtualCard("Izly DESFire " + idSupport[^4..], card, idSupport);
    }

    // The real stack (pcscd, vpcd over TCP) reads a card in 0.3-0.6 s on an idle machine, several times that on a
    // loaded one: its read timeout leaves room for that; the fake's is the small one the mute check wants.
    public static ReaderKitOptions DesfireOptions(bool real) => new()
    {
        PluginDirectory = KitPlugins.OutputOf("Middleware.Plugins.Desfire"),
        AssemblyFileName = "Middleware.Plugins.Desfire.dll",
        PluginId = "reader.desfire",
        SettingsJson = real ? """{ "readTimeoutMs": 2000 }""" : """{ "readTimeoutMs": 500 }""",
        HostReadBudget = TimeSpan.FromSeconds(real ? 5 : 3),
        SamKeyFileJson = SamKeyFile,
        SampleCards = [Izly("36000001", "04A1B2C3D4E5F6"), Izly("36000002", "04A1B2C3D4E5F7")],
        UseRealPcsc = real,
    };
}

/// <summary>Starts pcscd with vpcd through tests/pcsc/start-pcscd.sh when it is not running (as the PC/SC tests do).</summary>
internal static class Pcscd
{
    public static async Task EnsureRunningAsync()
    {
        var script = Path.Combine(KitPlugins.RepositoryRoot, "tests", "pcsc", "start-pcscd.sh");
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot run " + script);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pcscd with vsmartcard-vpcd is required and could not be started: {await error}");
        }
    }
}
