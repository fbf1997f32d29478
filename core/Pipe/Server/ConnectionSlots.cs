namespace Middleware.Pipe.Server;

/// <summary>
/// Who holds the server's connection slots: tills that said <c>hello</c> (at most <c>Pipe:MaxConnections</c>) and, apart,
/// connections that have not yet (<c>Pipe:MaxConnectionsBeforeHello</c>). A client that opens connections and says
/// nothing only ever takes the second kind, and each newcomer closes the oldest of them once they are over that number, so
/// a till can always connect. A connection is only closed for room after <see cref="Grace"/>: tills connecting all at
/// once (after a restart) are not closed before their hello is read; meanwhile the newcomers are admitted over the number.
/// </summary>
internal sealed class ConnectionSlots(int maxTills, int maxBeforeHello, TimeProvider timeProvider)
{
    /// <summary>How long a new connection is safe from being closed to make room (its hello is read well within).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);

    private readonly Lock gate = new();
    private readonly LinkedList<(PipeConnection Connection, long AdmittedAt)> beforeHello = [];
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

    /// <summary>Admits a new connection among those before hello; returns the oldest of them, past <see cref="Grace"/>,
    /// that make room for it (the caller closes them).</summary>
    public IReadOnlyList<PipeConnection> Admit(PipeConnection connection)
    {
        lock (gate)
        {
            List<PipeConnection>? evicted = null;
            while (beforeHello.Count >= maxBeforeHello && timeProvider.GetElapsedTime(beforeHello.First!.Value.AdmittedAt) >= Grace)
            {
                (evicted ??= []).Add(beforeHello.First.Value.Connection);
                beforeHello.RemoveFirst();
            }

            beforeHello.AddLast((connection, timeProvider.GetTimestamp()));
            return evicted ?? [];
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

            if (tills.Count >= maxTills || !RemoveBeforeHello(connection))
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
                RemoveBeforeHello(connection);
            }
        }
    }

    private bool RemoveBeforeHello(PipeConnection connection)
    {
        for (var node = beforeHello.First; node is not null; node = node.Next)
        {
            if (node.Value.Connection == connection)
            {
                beforeHello.Remove(node);
                return true;
            }
        }

        return false;
    }
}
