namespace Middleware.Pipe.Idempotency;

/// <summary>One async mutex per key, created on demand and dropped when nobody holds or waits for it.</summary>
internal sealed class KeyedAsyncLock
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (entries)
        {
            if (!entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                entries[key] = entry;
            }

            entry.References++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release(key, entry, held: false);
            throw;
        }

        return new Releaser(this, key, entry);
    }

    internal int ActiveKeys
    {
        get
        {
            lock (entries)
            {
                return entries.Count;
            }
        }
    }

    private void Release(string key, Entry entry, bool held)
    {
        lock (entries)
        {
            if (held)
            {
                entry.Semaphore.Release();
            }

            if (--entry.References == 0)
            {
                entries.Remove(key);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int References { get; set; }
    }

    private sealed class Releaser(KeyedAsyncLock owner, string key, Entry entry) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Release(key, entry, held: true);
            }
        }
    }
}
