using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Middleware.Storage;

/// <summary>
/// One open connection of a <see cref="SqliteSessionPool"/>, rented for one operation, with the commands it prepared on
/// earlier operations. <see cref="Statement"/> returns the same <see cref="SqliteCommand"/> for the same SQL text every
/// time: its SQL was compiled once and its parameters declared once; a call only sets their values.
/// <para>
/// CONTRACT: the SQL text given to <see cref="Statement"/> is a constant of the store (a literal or a const), never
/// built from values: a statement is kept per distinct text, and a connection refuses more than
/// <see cref="MaxStatements"/> of them. Values go in parameters, read back by ordinal with the typed getters.
/// </para>
/// An operation ends with <see cref="Complete"/> then Dispose; disposed without <see cref="Complete"/> (it threw) or
/// still inside a transaction, the connection is closed instead of going back to the pool.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    /// <summary>The most distinct statements one connection keeps (a store has a few dozen at most).</summary>
    public const int MaxStatements = 64;

    private static readonly Action<object?> InterruptCallback = Interrupt;

    private readonly SqliteSessionPool pool;
    private readonly Dictionary<string, SqliteCommand> statements = new(StringComparer.Ordinal);
    private bool rented;
    private bool completed;

    internal SqliteSession(SqliteSessionPool pool, SqliteConnection connection, bool durable)
    {
        this.pool = pool;
        Connection = connection;
        Durable = durable;
    }

    /// <summary>The open connection (for a transaction; its commands come from <see cref="Statement"/>).</summary>
    public SqliteConnection Connection { get; }

    /// <summary>True when this connection commits with synchronous=FULL.</summary>
    public bool Durable { get; }

    /// <summary>How many statements this connection has prepared (for tests).</summary>
    public int PreparedCount => statements.Count;

    /// <summary>
    /// The command of <paramref name="sql"/> (a constant, see the class contract), prepared on first use with the
    /// parameters <paramref name="declare"/> adds (pass a static lambda: it runs once per connection). The command has
    /// no transaction: set <see cref="SqliteCommand.Transaction"/> when running it inside one.
    /// </summary>
    public SqliteCommand Statement(string sql, Action<SqliteParameterCollection>? declare = null) =>
        Statement(sql, declare, static (parameters, declare) => declare?.Invoke(parameters));

    /// <summary>As above, <paramref name="declare"/> given <paramref name="state"/> (a static lambda still allocates nothing).</summary>
    public SqliteCommand Statement<TState>(string sql, TState state, Action<SqliteParameterCollection, TState> declare)
    {
        if (statements.TryGetValue(sql, out var command))
        {
            command.Transaction = null;
            return command;
        }

        if (statements.Count >= MaxStatements)
        {
            throw new InvalidOperationException($"More than {MaxStatements} distinct SQL texts on one connection: statements must be constants, values parameters.");
        }

        command = Connection.CreateCommand();
        try
        {
            command.CommandText = sql;
            declare(command.Parameters, state);
            command.Prepare();
        }
        catch
        {
            command.Dispose();
            throw;
        }

        statements.Add(sql, command);
        return command;
    }

    /// <summary>Runs <paramref name="command"/>; <paramref name="cancellationToken"/> interrupts SQLite (then the session is dropped).</summary>
    public static int Execute(SqliteCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        NullsAsSqlNull(command);
        if (!cancellationToken.CanBeCanceled)
        {
            return command.ExecuteNonQuery();
        }

        using var interrupt = cancellationToken.UnsafeRegister(InterruptCallback, command);
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == raw.SQLITE_INTERRUPT && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
    }

    /// <summary>A reader over <paramref name="command"/>'s rows (dispose it before the command runs again).</summary>
    public static SqliteDataReader Read(SqliteCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        NullsAsSqlNull(command);
        if (!cancellationToken.CanBeCanceled)
        {
            return command.ExecuteReader();
        }

        using var interrupt = cancellationToken.UnsafeRegister(InterruptCallback, command);
        try
        {
            return command.ExecuteReader();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == raw.SQLITE_INTERRUPT && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
    }

    // A null value binds as SQL NULL, as Dapper bound it (Microsoft.Data.Sqlite throws "Value must be set"): a till's
    // missing id finds nothing instead of failing the call (the pipe fuzzer's "saleId": null).
    private static void NullsAsSqlNull(SqliteCommand command)
    {
        var parameters = command.Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Value is null)
            {
                parameters[i].Value = DBNull.Value;
            }
        }
    }

    // SqliteCommand.Cancel does nothing; sqlite3_interrupt makes the running step return SQLITE_INTERRUPT.
    private static void Interrupt(object? command)
    {
        if (((SqliteCommand)command!).Connection?.Handle is { } handle)
        {
            raw.sqlite3_interrupt(handle);
        }
    }

    /// <summary>The operation succeeded: on Dispose the connection goes back to the pool.</summary>
    public void Complete() => completed = true;

    /// <summary>Back to the pool when completed and outside any transaction; otherwise closed.</summary>
    public void Dispose()
    {
        if (!rented)
        {
            return;
        }

        rented = false;
        var reusable = completed && Connection.Handle is { } handle && raw.sqlite3_get_autocommit(handle) != 0;
        pool.Return(this, reusable);
    }

    internal SqliteSession Rented()
    {
        rented = true;
        completed = false;
        return this;
    }

    /// <summary>Closes the connection and its statements (the pool's end, or a failed operation).</summary>
    internal void Close()
    {
        foreach (var command in statements.Values)
        {
            command.Dispose();
        }

        statements.Clear();
        Connection.Dispose();
    }
}
