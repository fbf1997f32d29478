namespace Middleware.Tests.Pcsc;

/// <summary>
/// The cross-process lock on the virtual readers that every PC/SC test and benchmark takes (Cards.Tests, Host.Tests, the
/// card-read benchmark): an exclusively opened file, freed by the OS if the process dies. Compiled into each of those
/// projects (a linked source file), so they all agree on the path.
/// </summary>
internal static class PcscTestLock
{
    public const string LockPath = "/tmp/middleware-pcsc-tests.lock";

    /// <summary>Takes the lock, trying again every 200 ms until <paramref name="timeout"/>.</summary>
    public static async Task<FileStream> AcquireAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
