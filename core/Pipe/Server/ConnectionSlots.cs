namespace Middleware.Pipe.Server;

/// <summary>
/// Who holds the server's connection slots: tills that said <c>hello</c> (at most <c>Pipe:MaxConnections</c>) and, apart,
/// connections that have not yet (at most <c>Pipe:MaxConnectionsBeforeHello</c>). A client that opens connections and says
/// nothing only ever takes the second kind, and loses the oldest of them to each newcomer, so a till can still connect.
/// </summary>
internal sealed class ConnectionSlots(int maxTills, int maxBeforeHello)
{
    private readonly Lock gate = new();
    private readonly LinkedList<PipeConnection> beforeHello = [];
    private readonly HashSet<PipeConnection> tills = [];

    public int Tills
    {
        get
        {
            lock (gate)
            {
                return tills.Count;
            }
        }
    }

    public int BeforeHello
    {
        get
        {
            lock (gate)
            {
                return beforeHello.Count;
            }
        }
    }

    /// <summary>Admits a new connection among those before hello; returns the oldest of them when it must make room
    /// (the caller closes it), else null.</summary>
    public PipeConnection? Admit(PipeConnection connection)
    {
        lock (gate)
        {
            PipeConnection? evicted = null;
            if (beforeHello.Count >= maxBeforeHello)
            {
                evicted = beforeHello.First!.Value;
                beforeHello.RemoveFirst();
            }

            beforeHello.AddLast(connection);
            return evicted;
        }
    }

    /// <summary>A connection said hello: it takes a till's slot, or false when all are taken (or it was closed meanwhile).
    /// A till saying hello again keeps its slot.</summary>
    public bool TryPromote(PipeConnection connection)
    {
        lock (gate)
        {
            if (tills.Contains(connection))
            {
                return true;
            }

            if (tills.Count >= maxTills || !beforeHello.Remove(connection))
            {
                return false;
            }

            tills.Add(connection);
            return true;
        }
    }

    public void Remove(PipeConnection connection)
    {
        lock (gate)
        {
            if (!tills.Remove(connection))
            {
                beforeHello.Remove(connection);
            }
        }
    }
}
