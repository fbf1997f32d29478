using System.Runtime.Versioning;
using Middleware.Host.Security;

namespace Middleware.Host.Tests.Security;

[SupportedOSPlatform("linux")]
public sealed class PrivateFilesCheckTests
{
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode ReadableByAll = Rw | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public void A_store_an_older_version_left_readable_by_others_is_closed_to_0600_with_its_wal()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = NewFolder();
        var store = Path.Combine(folder, "payments.db");
        foreach (var file in new[] { store, store + "-wal" })
        {
            File.WriteAllBytes(file, [1]);
            File.SetUnixFileMode(file, ReadableByAll);
        }

        var problems = new PrivateFilesCheck(CurrentUid()).Run([new PrivatePath("Payments:DatabasePath", store, PrivateFileKind.Store)]);

        Assert.Empty(problems);
        Assert.Equal(Rw, File.GetUnixFileMode(store));
        Assert.Equal(Rw, File.GetUnixFileMode(store + "-wal"));
    }

    [Fact]
    public void A_key_file_is_checked_but_never_changed_nor_its_folder_created()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = NewFolder();
        var key = Path.Combine(folder, "sam-keys.json");
        File.WriteAllText(key, "{}");
        File.SetUnixFileMode(key, ReadableByAll | UnixFileMode.GroupWrite);
        var missing = Path.Combine(folder, "absent", "secrets.json");

        var problems = new PrivateFilesCheck(CurrentUid()).Run(
        [
            new PrivatePath("Cards:SoftwareSam:KeyFile", key, PrivateFileKind.Secret),
            new PrivatePath("CrousApis:Secrets:File", missing, PrivateFileKind.Secret),
        ]);

        Assert.Equal($"Cards:SoftwareSam:KeyFile: the file '{key}' may be written by other accounts (mode 664); remove the group and other write bits (chmod go-w).", Assert.Single(problems));
        Assert.Equal(ReadableByAll | UnixFileMode.GroupWrite, File.GetUnixFileMode(key));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public void Missing_store_and_log_folders_are_created_0700()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = NewFolder();
        var store = Path.Combine(folder, "data", "deep", "tickets.db");
        var logs = Path.Combine(folder, "logs");

        var problems = new PrivateFilesCheck(CurrentUid()).Run(
        [
            new PrivatePath("Tickets:DatabasePath", store, PrivateFileKind.Store),
            new PrivatePath("Serilog", logs, PrivateFileKind.LogFolder),
        ]);

        Assert.Empty(problems);
        var owner = Rw | UnixFileMode.UserExecute;
        Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(folder, "data")));
        Assert.Equal(owner, File.GetUnixFileMode(Path.GetDirectoryName(store)!));
        Assert.Equal(owner, File.GetUnixFileMode(logs));
    }

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mw-private-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }

    private static uint CurrentUid() =>
        uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
}
