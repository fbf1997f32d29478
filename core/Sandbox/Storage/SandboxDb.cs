using System.Security.Cryptography;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Middleware.Sandbox.Seed;

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

    public SandboxDb(string path)
    {
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

    /// <summary>Creates the schema and, on a fresh file, the seeded points of sale, right holders, cards and QR keys.</summary>
    public void Initialise(SandboxSeed seed)
    {
        _writer.Execute("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS points_of_sale (app_id TEXT PRIMARY KEY, installation_key TEXT NOT NULL,
                cle_izly TEXT NOT NULL, revoked INTEGER NOT NULL, tokens_not_before INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS right_holders (identifier TEXT PRIMARY KEY, user_public_id TEXT NOT NULL UNIQUE,
                first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL, password TEXT NOT NULL,
                balance INTEGER NOT NULL, id_company_rate INTEGER NOT NULL, id_rate INTEGER NOT NULL, due_date TEXT NOT NULL,
                account_status TEXT NOT NULL, blocking_status TEXT NOT NULL, anonymised INTEGER NOT NULL,
                loyalty_points INTEGER NOT NULL, qr_key BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS supports (id_support TEXT PRIMARY KEY, numero_applicatif TEXT NOT NULL,
                identifier TEXT NOT NULL, invalidated INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS tickets (app_id TEXT NOT NULL, id_ticket_entete TEXT NOT NULL, numero_ticket TEXT NOT NULL,
                vers_commande_en_ligne INTEGER NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (app_id, id_ticket_entete));
            CREATE UNIQUE INDEX IF NOT EXISTS ix_tickets_numero ON tickets (app_id, numero_ticket);
            CREATE TABLE IF NOT EXISTS transactions (id INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL,
                client_order_id TEXT NOT NULL, identifier TEXT NOT NULL, amount INTEGER NOT NULL, status INTEGER NOT NULL,
                balance_after INTEGER NOT NULL, operation_date TEXT NOT NULL, means TEXT NOT NULL, id_support TEXT,
                qr_hash TEXT, sam_id TEXT, cancelled_at TEXT);
            CREATE UNIQUE INDEX IF NOT EXISTS ix_transactions_order ON transactions (app_id, client_order_id);
            CREATE TABLE IF NOT EXISTS used_qr_codes (qr_hash TEXT PRIMARY KEY, transaction_id INTEGER NOT NULL, used_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS web_payments (operation_id INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL,
                client_order_id TEXT NOT NULL, amount INTEGER NOT NULL, callback_parameters TEXT, redirect_url TEXT,
                callback_url TEXT, message TEXT, status INTEGER NOT NULL, identifier TEXT, error_code TEXT, error_message TEXT,
                created_at TEXT NOT NULL, paid_at TEXT, session_token TEXT NOT NULL, callback_status INTEGER);
            CREATE TABLE IF NOT EXISTS whiz_orders (id_commande INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL,
                numero_ticket TEXT NOT NULL, numero_appel INTEGER NOT NULL, statut TEXT NOT NULL, body TEXT NOT NULL,
                created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            """);

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
