using Dapper;
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
/// seen survives a power cut; the others with synchronous=NORMAL (they survive a crash of the host). One short-lived
/// connection per operation; Microsoft.Data.Sqlite pools them. The WAL is checkpointed in the background
/// (<see cref="WalCheckpointer"/>), never inside a till's call.
/// </summary>
internal sealed class IdempotencyStore
{
    private readonly string connectionString;
    private readonly WalCheckpointer checkpointer;
    private readonly TimeProvider time;
    private readonly ILogger? logger;

    public IdempotencyStore(string databasePath, TimeProvider time, ILogger? logger = null)
    {
        this.time = time;
        this.logger = logger;
        DatabasePath = Path.GetFullPath(databasePath);
        checkpointer = new WalCheckpointer(DatabasePath, time);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        // Before anything else opens the file: answers a newer version wrote are refused untouched.
        StoreSchemaMigrator.Migrate(DatabasePath, IdempotencySchema.Schema, logger, time);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode=WAL;", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<StoredAnswer?> FindAsync(string pointOfSale, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT method AS Method, params_hash AS ParamsHash, is_error AS IsError, answer_json AS AnswerJson, created_at_ms AS CreatedAtMs FROM idempotency WHERE point_of_sale = @pointOfSale AND request_id = @requestId",
            new { pointOfSale, requestId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new StoredAnswer(row.Method, row.ParamsHash, row.IsError != 0, row.AnswerJson, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAtMs));
    }

    /// <summary>Records the first answer; false when one was already there (it is kept). <paramref name="durable"/>: on
    /// disk before this returns (synchronous=FULL); otherwise written for the OS to flush (NORMAL).</summary>
    public async Task<bool> TryAddAsync(string pointOfSale, string requestId, StoredAnswer answer, bool durable, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken, durable).ConfigureAwait(false);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO idempotency (point_of_sale, request_id, method, params_hash, is_error, answer_json, created_at_ms) VALUES (@pointOfSale, @requestId, @method, @paramsHash, @isError, @answerJson, @createdAtMs)",
            new
            {
                pointOfSale,
                requestId,
                method = answer.Method,
                paramsHash = answer.ParamsHash,
                isError = answer.IsError ? 1 : 0,
                answerJson = answer.AnswerJson,
                createdAtMs = answer.CreatedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        checkpointer.NoteWrite();
        return rows == 1;
    }

    /// <summary>Deletes answers first given before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency WHERE created_at_ms < @before",
            new { before = before.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        checkpointer.NoteWrite();
        return deleted;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM idempotency", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken, bool durable = true)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // FULL makes a commit durable before the till sees the answer (and every earlier NORMAL commit of its WAL).
            PooledConnectionSettings.Apply(connection, durable, busyTimeoutMilliseconds: 30000, backgroundCheckpoints: true);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Row
    {
        public string Method { get; set; } = "";
        public string ParamsHash { get; set; } = "";
        public long IsError { get; set; }
        public string AnswerJson { get; set; } = "";
        public long CreatedAtMs { get; set; }
    }
}
