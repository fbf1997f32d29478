namespace Middleware.Host.Status;

/// <summary>The last <see cref="Capacity"/> items, newest first on read: memory stays bounded whatever the event rate.</summary>
internal sealed class BoundedRing<T>
{
    private readonly T[] _items;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;

    public BoundedRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
    }

    public int Capacity => _items.Length;

    public void Add(T item)
    {
        lock (_gate)
        {
            _items[_next] = item;
            _next = (_next + 1) % _items.Length;
            _count = Math.Min(_count + 1, _items.Length);
        }
    }

    /// <summary>A copy, newest first.</summary>
    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            var list = new List<T>(_count);
            for (var i = 1; i <= _count; i++)
            {
                list.Add(_items[(_next - i + _items.Length) % _items.Length]);
            }

            return list;
        }
    }
}
