//! Offers of chats to agents, and their outcomes.

use sqlx::FromRow;
use switchboard_protocol::{AgentId, ChatId, OfferEnd, OfferId, OfferKind};

use super::{SqliteConnection, enum_text};
use crate::error::Result;

#[derive(Debug, Clone, FromRow)]
pub struct OfferRow {
    pub id: i64,
    pub chat_id: i64,
    pub agent_id: i64,
    pub kind: String,
    pub offered_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
}

pub async fn insert(
    conn: &mut SqliteConnection,
    chat: ChatId,
    agent: AgentId,
    kind: OfferKind,
    offered_at: i64,
    expires_at: i64,
) -> Result<OfferId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO offers (chat_id, agent_id, kind, offered_at, expires_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(chat.0)
    .bind(agent.0)
    .bind(enum_text(&kind))
    .bind(offered_at)
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(OfferId(id))
}

/// An offer of a chat another agent hands over, with the sender's note.
pub async fn insert_transfer(
    conn: &mut SqliteConnection,
    chat: ChatId,
    agent: AgentId,
    from: AgentId,
    note: &str,
    offered_at: i64,
    expires_at: i64,
) -> Result<OfferId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO offers (chat_id, agent_id, kind, from_agent_id, note, offered_at, expires_at)
         VALUES (?, ?, 'transfer', ?, ?, ?, ?) RETURNING id",
    )
    .bind(chat.0)
    .bind(agent.0)
    .bind(from.0)
    .bind(note)
    .bind(offered_at)
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(OfferId(id))
}

pub async fn get(conn: &mut SqliteConnection, id: OfferId) -> Result<Option<OfferRow>> {
    Ok(sqlx::query_as(
        "SELECT id, chat_id, agent_id, kind, offered_at, expires_at, ended_at, end_reason
         FROM offers WHERE id = ?",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn end(
    conn: &mut SqliteConnection,
    id: OfferId,
    now: i64,
    reason: OfferEnd,
) -> Result<()> {
    sqlx::query("UPDATE offers SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL")
        .bind(now)
        .bind(enum_text(&reason))
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Offers still open (after a restart: to be withdrawn).
pub async fn open(conn: &mut SqliteConnection) -> Result<Vec<OfferRow>> {
    Ok(sqlx::query_as(
        "SELECT id, chat_id, agent_id, kind, offered_at, expires_at, ended_at, end_reason
         FROM offers WHERE ended_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Agents who declined a chat or let its offer time out: never offered it again.
pub async fn refused_by(conn: &mut SqliteConnection, chat: ChatId) -> Result<Vec<AgentId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT agent_id FROM offers WHERE chat_id = ? AND end_reason IN ('declined', 'timeout')",
    )
    .bind(chat.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(AgentId).collect())
}
