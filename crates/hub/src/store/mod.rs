//! The hub's durable state in SQLite (WAL): accounts, departments, sites, sessions,
//! chats with their transcripts, offers, the per-agent push log and stored replies,
//! the missed-chats list and the email outbox, wrap-ups, transfers under way and
//! canned responses.
//!
//! Every function takes a `&mut SqliteConnection`, so a caller can run several in one
//! transaction (the hub core does: a change, its events and its pushes commit
//! together) or on a pooled connection for a plain read. Keeping SQL behind these
//! functions is the boundary a PostgreSQL store would replace.

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

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::error::{Error, Result};

pub use sqlx::SqliteConnection;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
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
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    pub async fn begin(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn acquire(&self) -> Result<PoolConnection<Sqlite>> {
        Ok(self.pool.acquire().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
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
