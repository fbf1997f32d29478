namespace Middleware.PluginHost.Tests;

/// <summary>Issue #18: the shadow copy of a plugin is the host's alone, whatever the modes of the deployed files.</summary>
public sealed class ShadowCopyTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Copied_plugin_files_are_0600_even_when_the_deployed_ones_are_world_readable()
    {
        var root = Directory.CreateTempSubdirectory("mw-shadow-test-").FullName;
        try
        {
            var source = Path.Combine(root, "deployed");
            Directory.CreateDirectory(Path.Combine(source, "runtimes"));
            foreach (var file in new[] { "Plugin.dll", "Plugin.deps.json", Path.Combine("runtimes", "native.so") })
            {
                File.WriteAllText(Path.Combine(source, file), file);
                File.SetUnixFileMode(Path.Combine(source, file), (UnixFileMode)0x1ED); // 0755, as a build leaves them
            }

            var (directory, _, failure) = PluginLoading.ShadowCopy(source, Path.Combine(root, "shadow"), "plugin.test");

            Assert.Null(failure);
            var copies = Directory.GetFiles(directory!, "*", SearchOption.AllDirectories);
            Assert.Equal(3, copies.Length);
            Assert.All(copies, copy => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy)));
            Assert.Equal("Plugin.dll", File.ReadAllText(Path.Combine(directory!, "Plugin.dll")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
