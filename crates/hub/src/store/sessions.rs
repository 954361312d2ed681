//! Agent sessions, keyed by the SHA-256 of their bearer token.

use sqlx::FromRow;
use switchboard_protocol::AgentId;

use super::SqliteConnection;
use crate::error::Result;

#[derive(Debug, Clone, FromRow)]
pub struct Session {
    pub agent_id: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn insert(
    conn: &mut SqliteConnection,
    token_hash: &[u8],
    agent: AgentId,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(agent.0)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut SqliteConnection, token_hash: &[u8]) -> Result<Option<Session>> {
    Ok(
        sqlx::query_as(
            "SELECT agent_id, expires_at, revoked_at FROM sessions WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await?,
    )
}

pub async fn revoke(conn: &mut SqliteConnection, token_hash: &[u8], now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Drop sessions that ended more than a day ago; they can no longer be refreshed.
pub async fn prune(conn: &mut SqliteConnection, before: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?")
        .bind(before)
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
