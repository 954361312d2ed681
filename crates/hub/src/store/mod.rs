//! The hub's durable state in SQLite (WAL): accounts, departments, sites, sessions,
//! chats with their transcripts, offers, the per-agent push log and stored replies,
//! the missed-chats list and the email outbox, wrap-ups, transfers under way and
//! canned responses.
//!
//! Every function takes a `&mut SqliteConnection`, so a caller can run several in one
//! transaction (the hub core does: a change, its events and its pushes commit
//! together) or on a pooled connection for a plain read. Writes that nothing reads
//! before the commit can instead be collected in a [`Deferred`] and sent with the
//! commit in one round trip. Keeping SQL behind these functions is the boundary a
//! PostgreSQL store would replace.

pub mod agents;
pub mod canned;
pub mod chats;
pub mod departments;
pub mod emails;
pub mod missed;
pub mod offers;
pub mod pushes;
pub mod replies;
pub mod sessions;
pub mod sites;
pub mod transfers;
pub mod wrap_ups;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Arguments, ConnectOptions, Encode, Sqlite, Transaction, Type};

use crate::error::{Error, Result};

pub use sqlx::SqliteConnection;

/// The writer's page cache, in KiB (SQLite's negative form). Each message inserts
/// into indexes at places spread over the whole file (its chat's events, its sender's
/// stored replies, its agent's push log); with SQLite's default 2 MiB most of those
/// pages had fallen out of the cache and were read back from the file one by one.
const WRITER_CACHE: &str = "-65536";

/// The page size of a database the hub creates, in bytes (SQLite's default is 4,096).
/// Every commit appends a whole copy of each page it touched to the WAL, and a
/// message touches several pages at places of their own (its stored reply's, its
/// push's and its event's index entries, its chat's row): with 2 KiB pages the log,
/// and what each checkpoint copies and syncs, is about 40 % smaller, and the disk's
/// share of the message latency with it. 1 KiB pages made the trees deeper and cost
/// more than they saved. A database keeps the page size it was created with.
const PAGE_SIZE: u32 = 2048;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// The database file, for [`Store::sync`].
    path: Arc<PathBuf>,
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to
    /// date with the embedded migrations.
    pub async fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses nothing on a process crash (kill -9); only a power
            // cut can drop the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .page_size(PAGE_SIZE);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A local file needs no liveness check, and each one is a round trip to
            // the connection's thread.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            path: Arc::new(path.to_owned()),
        })
    }

    pub async fn begin(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn acquire(&self) -> Result<PoolConnection<Sqlite>> {
        Ok(self.pool.acquire().await?)
    }

    /// A connection of its own, outside the pool, for the hub core's writes. Same
    /// settings as the pooled ones, except for a larger page cache and that its
    /// commits never checkpoint the WAL: a checkpoint copies the log into the database
    /// file and syncs both, tens of milliseconds the core would otherwise spend
    /// blocked. [`Store::checkpoint`], run beside it, does most of that work instead.
    pub async fn connect_writer(&self) -> Result<SqliteConnection> {
        let options = (*self.pool.connect_options())
            .clone()
            .pragma("wal_autocheckpoint", "0")
            .pragma("cache_size", WRITER_CACHE);
        Ok(options.connect().await?)
    }

    /// Copy what the WAL holds into the database file as far as readers allow
    /// (`PASSIVE`: never blocks a writer or a reader). Returns the number of frames
    /// the log held. The log starts over only once a checkpoint has copied all of it
    /// while no write was under way: under steady writes that is the writer's own
    /// small checkpoint after this one (see `hub::change`).
    pub async fn checkpoint(&self) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        let (_busy, log, _copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&mut *conn)
                .await?;
        Ok(log)
    }

    /// Flush the database file and its WAL to the disk, off the async threads.
    ///
    /// SQLite syncs the database only after a checkpoint that copied the whole log,
    /// which under steady writes is the writer's own small one: that sync would flush
    /// every page the checkpoints beside it copied while every message waits for it.
    /// Synced here first, the writer's syncs find only its own few pages unwritten.
    /// An extra sync never weakens what SQLite's own syncs guarantee.
    pub async fn sync(&self) -> Result<()> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || sync_files(&path))
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e)))??;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Flush the database file and then its WAL.
fn sync_files(db: &Path) -> std::io::Result<()> {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    for file in [db.as_os_str(), wal.as_os_str()] {
        match std::fs::File::open(file) {
            Ok(file) => file.sync_data()?,
            // No log (yet, or any more): nothing of it to flush.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes collected while a transaction is open, run together in one round trip to
/// SQLite (one multi-statement query) right before the commit. Only for writes that
/// nothing in the same transaction reads back.
#[derive(Default)]
pub struct Deferred {
    sql: String,
    values: Vec<DeferredValue>,
    statements: usize,
}

impl Deferred {
    /// Add one statement; `?` placeholders take the values given, in order.
    fn add(&mut self, statement: &str, values: Vec<DeferredValue>) -> Result<()> {
        self.sql.push_str(statement);
        self.sql.push_str(";\n");
        self.values.extend(values);
        self.statements += 1;
        Ok(())
    }

    /// Add `other`'s statements after these.
    pub fn append(&mut self, other: Deferred) {
        self.sql.push_str(&other.sql);
        self.values.extend(other.values);
        self.statements += other.statements;
    }

    pub fn is_empty(&self) -> bool {
        self.statements == 0
    }

    /// Run the collected statements followed by `tail` (for example `COMMIT; BEGIN`),
    /// all in one round trip.
    pub async fn run(self, conn: &mut SqliteConnection, tail: &str) -> Result<()> {
        let mut sql = self.sql;
        sql.push_str(tail);
        let mut args = SqliteArguments::default();
        for value in self.values {
            value.bind(&mut args)?;
        }
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// A value bound into a [`Deferred`] statement.
pub(crate) enum DeferredValue {
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    Text(String),
    Str(&'static str),
}

impl DeferredValue {
    fn bind(self, args: &mut SqliteArguments) -> Result<()> {
        fn add<T>(args: &mut SqliteArguments, v: T) -> Result<()>
        where
            T: Encode<'static, Sqlite> + Type<Sqlite> + 'static,
        {
            args.add(v)
                .map_err(|e| Error::Database(sqlx::Error::Encode(e)))
        }
        match self {
            DeferredValue::Int(v) => add(args, v),
            DeferredValue::OptInt(v) => add(args, v),
            DeferredValue::Bool(v) => add(args, v),
            DeferredValue::Text(v) => add(args, v),
            DeferredValue::Str(v) => add(args, v),
        }
    }
}

/// A protocol enum as the snake_case text the store keeps (`"online"`, ...).
pub fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Stored text back into a protocol enum.
pub fn parse_enum<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(Error::Json)
}

/// A count or limit read from the store as the `u32` the protocol uses.
pub fn to_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::{PAGE_SIZE, Store};

    async fn page_size(store: &Store) -> i64 {
        let mut conn = store.acquire().await.expect("a connection");
        sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(&mut *conn)
            .await
            .expect("the page size")
    }

    #[tokio::test]
    async fn a_new_database_has_small_pages_and_an_older_one_keeps_its_own() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let fresh = Store::open(&dir.path().join("hub.db"))
            .await
            .expect("a fresh store opens");
        assert_eq!(page_size(&fresh).await, i64::from(PAGE_SIZE));
        fresh.close().await;

        // A database made with SQLite's default pages, as hubs made them before.
        let older = dir.path().join("older.db");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&older)
            .create_if_missing(true)
            .page_size(4096)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = sqlx::SqlitePool::connect_with(options)
            .await
            .expect("an older database is made");
        sqlx::query("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
            .execute(&pool)
            .await
            .expect("it holds something");
        pool.close().await;
        let store = Store::open(&older)
            .await
            .expect("an older database opens and takes the migrations");
        assert_eq!(page_size(&store).await, 4096);
        let mut conn = store.acquire().await.expect("a connection");
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('kept', 'chats')",
        )
        .fetch_one(&mut *conn)
        .await
        .expect("its tables");
        assert_eq!(
            tables, 2,
            "what it held stays, and the hub's tables are added"
        );
    }

    #[tokio::test]
    async fn the_linked_sqlite_has_the_wal_reset_fix() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(&dir.path().join("hub.db"))
            .await
            .expect("a store opens");
        let mut conn = store.acquire().await.expect("a connection");
        let version: String = sqlx::query_scalar("select sqlite_version()")
            .fetch_one(&mut *conn)
            .await
            .expect("the SQLite version");
        let parts: Vec<u32> = version
            .split('.')
            .map(|part| part.parse().expect("a numeric version part"))
            .collect();
        assert!(
            parts.as_slice() >= [3, 51, 3].as_slice(),
            "SQLite {version} has the WAL-reset bug (https://sqlite.org/wal.html#walresetbug): \
             the hub's back-to-back checkpoints beside a writer that restarts the log can \
             lose committed writes; 3.51.3 fixes it"
        );
    }
}
