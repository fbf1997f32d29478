using System.Security.Cryptography;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Sandbox.Seed;
using Middleware.Storage;

namespace Middleware.Sandbox.Storage;

/// <summary>
/// The sandbox's own SQLite file (WAL): balances, tickets, transactions, token settings, used QR codes, web payments,
/// Whiz orders. Writes go through one connection under a lock (SQLite has one writer anyway); reads use pooled connections.
/// </summary>
internal sealed class SandboxDb : IDisposable
{
    private readonly string _connectionString;
    private readonly Channel<IWriteItem> _queue = Channel.CreateUnbounded<IWriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _writer;
    private Task? _writerLoop;

    /// <summary>Opens the sandbox's file, migrated to this build's schema first: a file a newer version wrote is refused
    /// untouched.</summary>
    public SandboxDb(string path, ILogger? logger = null, TimeProvider? time = null)
    {
        StoreSchemaMigrator.Migrate(path, SandboxSchema.Schema, logger, time);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        _writer.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
    }

    public string Path => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>On a fresh file, writes the seeded points of sale, right holders, cards and QR keys (the schema is made by
    /// the constructor).</summary>
    public void Initialise(SandboxSeed seed)
    {
        using var tx = _writer.BeginTransaction();
        if (_writer.ExecuteScalar<string>("SELECT value FROM meta WHERE key='token_secret'", transaction: tx) is null)
        {
            _writer.Execute("INSERT INTO meta(key, value) VALUES ('token_secret', @v)", new { v = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, tx);
            _writer.Execute("INSERT INTO meta(key, value) VALUES ('tokens_not_before', '0')", transaction: tx);
            // Web payment ids look like Izly operation ids, not 1, 2, 3.
            _writer.Execute("INSERT INTO sqlite_sequence(name, seq) VALUES ('web_payments', 700000), ('transactions', 88400), ('whiz_orders', 0)", transaction: tx);
        }

        foreach (var pos in seed.PointsOfSale)
        {
            _writer.Execute(
                "INSERT OR IGNORE INTO points_of_sale(app_id, installation_key, cle_izly, revoked) VALUES (@AppId, @InstallationKey, @CleIzly, @KeyRevoked)",
                pos, tx);
        }

        foreach (var h in seed.RightHolders)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _writer.Execute("""
                INSERT OR IGNORE INTO right_holders(identifier, user_public_id, first_name, last_name, email, password, balance,
                    id_company_rate, id_rate, due_date, account_status, blocking_status, anonymised, loyalty_points, qr_key)
                VALUES (@Identifier, @UserPublicId, @FirstName, @LastName, @Email, @Password, @BalanceCents, @IdCompanyRate, @IdRate,
                    @DueDate, @AccountStatus, @BlockingStatus, @Anonymised, @LoyaltyPoints, @QrKey)
                """,
                new
                {
                    h.Identifier, UserPublicId = h.UserPublicId.ToString(), h.FirstName, h.LastName, h.Email, h.Password, h.BalanceCents,
                    h.IdCompanyRate, h.IdRate, DueDate = h.DueDate.ToString("O"), h.AccountStatus, h.BlockingStatus, h.Anonymised,
                    h.LoyaltyPoints, QrKey = key.ExportPkcs8PrivateKey(),
                },
                tx);
            foreach (var c in h.Cards)
            {
                _writer.Execute(
                    "INSERT OR IGNORE INTO supports(id_support, numero_applicatif, identifier, invalidated) VALUES (@IdSupport, @NumeroApplicatif, @identifier, @Invalidated)",
                    new { c.IdSupport, c.NumeroApplicatif, identifier = h.Identifier, c.Invalidated }, tx);
            }
        }

        tx.Commit();
        _writerLoop = Task.Run(WriterLoopAsync);
    }

    /// <summary>A pooled read connection (dispose it).</summary>
    public SqliteConnection Read()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction on the single writer connection. Concurrent writes are group-committed:
    /// the writer loop takes every pending write, runs each under its own savepoint (one failing write rolls back only itself)
    /// and commits them together, which keeps ticket uploads from many tills fast.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new WriteItem<T>(work);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(item), this);

        return item.Task;
    }

    private async Task WriterLoopAsync()
    {
        var batch = new List<IWriteItem>(64);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 64 && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                using var tx = _writer.BeginTransaction();
                foreach (var item in batch)
                {
                    item.Run(_writer, tx);
                }

                tx.Commit();
                foreach (var item in batch)
                {
                    item.Complete();
                }
            }
            catch (Exception e)
            {
                // The commit itself failed: none of the batch is stored.
                foreach (var item in batch)
                {
                    item.Fail(e);
                }
            }
        }
    }

    private interface IWriteItem
    {
        void Run(SqliteConnection c, SqliteTransaction tx);
        void Complete();
        void Fail(Exception e);
    }

    private sealed class WriteItem<T>(Func<SqliteConnection, SqliteTransaction, T> work) : IWriteItem
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _tcs.Task;

        public void Run(SqliteConnection c, SqliteTransaction tx)
        {
            tx.Save("w");
            try
            {
                _result = work(c, tx);
                tx.Release("w");
            }
            catch (Exception e)
            {
                tx.Rollback("w");
                tx.Release("w");
                _error = e;
            }
        }

        public void Complete()
        {
            if (_error is not null)
            {
                _tcs.TrySetException(_error);
            }
            else
            {
                _tcs.TrySetResult(_result!);
            }
        }

        public void Fail(Exception e) => _tcs.TrySetException(e);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writerLoop?.GetAwaiter().GetResult();
        _writer.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }
}
