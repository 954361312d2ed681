//! Chats changing hands: the transfer under way on a chat row, and moving a chat to
//! another agent or department when a transfer is accepted.

use switchboard_protocol::{AgentId, ChatId, DepartmentId};

use super::SqliteConnection;
use crate::error::Result;

/// Record the transfer under way (JSON), or clear it with `None`.
pub async fn set(conn: &mut SqliteConnection, chat: ChatId, transfer: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE chats SET transfer = ? WHERE id = ?")
        .bind(transfer)
        .bind(chat.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Transfers under way on chats that are still open (after a restart).
pub async fn pending(conn: &mut SqliteConnection) -> Result<Vec<(ChatId, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, transfer FROM chats WHERE transfer IS NOT NULL
         AND state IN ('queued', 'offered', 'active') ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id, t)| (ChatId(id), t)).collect())
}

/// The chat now belongs to `agent` (it keeps its first `accepted_at`).
pub async fn reassign(
    conn: &mut SqliteConnection,
    chat: ChatId,
    agent: AgentId,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE chats SET agent_id = ?, transfer = NULL WHERE id = ?")
        .bind(agent.0)
        .bind(chat.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT OR IGNORE INTO chat_agents (chat_id, agent_id, joined_at) VALUES (?, ?, ?)",
    )
    .bind(chat.0)
    .bind(agent.0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The chat now belongs to another department (a department transfer was taken).
pub async fn move_department(
    conn: &mut SqliteConnection,
    chat: ChatId,
    department: DepartmentId,
    required_skill: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE chats SET department_id = ?, required_skill = ? WHERE id = ?")
        .bind(department.0)
        .bind(required_skill)
        .bind(chat.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
