using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Storage;

namespace Middleware.Pipe.Idempotency;

/// <summary>The first answer kept for one (point of sale, request id).</summary>
/// <param name="Method">The method that was called.</param>
/// <param name="ParamsHash">SHA-256 of the canonical parameters (without <c>requestId</c>).</param>
/// <param name="IsError">True when the first answer was an error.</param>
/// <param name="AnswerJson">The <c>result</c> value, or the <c>error</c> object.</param>
/// <param name="CreatedAt">When it was first answered (host clock).</param>
internal sealed record StoredAnswer(string Method, string ParamsHash, bool IsError, string AnswerJson, DateTimeOffset CreatedAt);

/// <summary>
/// Store of first answers (SQLite, WAL). A durable answer is committed with synchronous=FULL, so an answer the till has
/// seen survives a power cut; the others with synchronous=NORMAL (they survive a crash of the host). Connections and
/// their prepared statements come from a <see cref="SqliteSessionPool"/>, one FULL and one NORMAL set. The WAL is
/// checkpointed in the background (<see cref="WalCheckpointer"/>), never inside a till's call.
/// </summary>
internal sealed class IdempotencyStore : IDisposable
{
    private const string FindSql =
        "SELECT method, params_hash, is_error, answer_json, created_at_ms FROM idempotency WHERE point_of_sale = @pointOfSale AND request_id = @requestId";

    private const string AddSql =
        "INSERT OR IGNORE INTO idempotency (point_of_sale, request_id, method, params_hash, is_error, answer_json, created_at_ms) VALUES (@pointOfSale, @requestId, @method, @paramsHash, @isError, @answerJson, @createdAtMs)";

    private const string PurgeSql = "DELETE FROM idempotency WHERE created_at_ms < @before";
    private const string CountSql = "SELECT COUNT(*) FROM idempotency";

    private readonly WalCheckpointer checkpointer;
    private readonly TimeProvider time;
    private readonly ILogger? logger;
    private readonly SqliteSessionPool sessions;

    public IdempotencyStore(string databasePath, TimeProvider time, ILogger? logger = null)
    {
        this.time = time;
        this.logger = logger;
        DatabasePath = Path.GetFullPath(databasePath);
        checkpointer = new WalCheckpointer(DatabasePath, time);
        // Opened lazily: the file is migrated in InitializeAsync before the first connection.
        sessions = new SqliteSessionPool(DatabasePath, busyTimeoutMilliseconds: 30000, backgroundCheckpoints: true);
    }

    public string DatabasePath { get; }

    /// <summary>The store's connections (for tests: reuse shows as a count that stops growing).</summary>
    internal SqliteSessionPool Sessions => sessions;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        // Before anything else opens the file: answers a newer version wrote are refused untouched.
        StoreSchemaMigrator.Migrate(DatabasePath, IdempotencySchema.Schema, logger, time);
        // The first connection puts the file in WAL mode (every connection of the pool asks for it).
        using var session = await sessions.RentAsync(durable: true, cancellationToken).ConfigureAwait(false);
        session.Complete();
    }

    public async Task<StoredAnswer?> FindAsync(string pointOfSale, string requestId, CancellationToken cancellationToken)
    {
        using var session = await sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        var select = session.Statement(FindSql, static p =>
        {
            p.Add("@pointOfSale", SqliteType.Text);
            p.Add("@requestId", SqliteType.Text);
        });
        select.Parameters[0].Value = pointOfSale;
        select.Parameters[1].Value = requestId;
        StoredAnswer? answer = null;
        using (var r = SqliteSession.Read(select, cancellationToken))
        {
            if (r.Read())
            {
                answer = new StoredAnswer(r.GetString(0), r.GetString(1), r.GetInt64(2) != 0, r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)));
            }
        }

        session.Complete();
        return answer;
    }

    /// <summary>Records the first answer; false when one was already there (it is kept). <paramref name="durable"/>: on
    /// disk before this returns (synchronous=FULL, which also flushes every earlier NORMAL commit of the WAL); otherwise
    /// written for the OS to flush (NORMAL).</summary>
    public async Task<bool> TryAddAsync(string pointOfSale, string requestId, StoredAnswer answer, bool durable, CancellationToken cancellationToken)
    {
        using var session = await sessions.RentAsync(durable, cancellationToken).ConfigureAwait(false);
        var insert = session.Statement(AddSql, static p =>
        {
            p.Add("@pointOfSale", SqliteType.Text);
            p.Add("@requestId", SqliteType.Text);
            p.Add("@method", SqliteType.Text);
            p.Add("@paramsHash", SqliteType.Text);
            p.Add("@isError", SqliteType.Integer);
            p.Add("@answerJson", SqliteType.Text);
            p.Add("@createdAtMs", SqliteType.Integer);
        });
        var values = insert.Parameters;
        values[0].Value = pointOfSale;
        values[1].Value = requestId;
        values[2].Value = answer.Method;
        values[3].Value = answer.ParamsHash;
        values[4].Value = answer.IsError ? 1L : 0L;
        values[5].Value = answer.AnswerJson;
        values[6].Value = answer.CreatedAt.ToUnixTimeMilliseconds();
        var rows = SqliteSession.Execute(insert, cancellationToken);
        session.Complete();
        checkpointer.NoteWrite();
        return rows == 1;
    }

    /// <summary>Deletes answers first given before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        // FULL, as every write of this store but the non-durable answers.
        using var session = await sessions.RentAsync(durable: true, cancellationToken).ConfigureAwait(false);
        var delete = session.Statement(PurgeSql, static p => p.Add("@before", SqliteType.Integer));
        delete.Parameters[0].Value = before.ToUnixTimeMilliseconds();
        var deleted = SqliteSession.Execute(delete, cancellationToken);
        session.Complete();
        checkpointer.NoteWrite();
        return deleted;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        using var session = await sessions.RentAsync(durable: false, cancellationToken).ConfigureAwait(false);
        long count;
        using (var r = SqliteSession.Read(session.Statement(CountSql), cancellationToken))
        {
            r.Read();
            count = r.GetInt64(0);
        }

        session.Complete();
        return count;
    }

    /// <summary>Closes the store's connections.</summary>
    public void Dispose() => sessions.Dispose();
}
