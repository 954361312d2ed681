//! Wrap-ups, kept on the chat row: owed from the end of a chat until the agent gives
//! one or the deadline passes. Each wrap-up given is also a transcript event.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use switchboard_protocol::{AgentId, ChatId, WrapUp, WrapUpState};

use super::SqliteConnection;
use crate::clock::{from_millis, to_millis};
use crate::error::Result;

/// The wrap-up columns of a chat row, as stored.
#[derive(Debug, Clone, Default, FromRow)]
pub struct WrapUpColumns {
    pub wrap_up_state: Option<String>,
    pub wrap_up_required: bool,
    pub wrap_up_deadline: Option<i64>,
    pub wrap_up: Option<String>,
    pub wrap_up_at: Option<i64>,
}

impl WrapUpColumns {
    /// The protocol's view; `None` when no wrap-up was ever owed.
    pub fn state(&self) -> Option<WrapUpState> {
        match self.wrap_up_state.as_deref()? {
            "pending" => Some(WrapUpState::Pending {
                required: self.wrap_up_required,
                deadline: from_millis(self.wrap_up_deadline.unwrap_or_default()),
            }),
            "done" => {
                let wrap_up: WrapUp = serde_json::from_str(self.wrap_up.as_deref()?).ok()?;
                Some(WrapUpState::Done {
                    wrap_up,
                    at: from_millis(self.wrap_up_at.unwrap_or_default()),
                })
            }
            "expired" => Some(WrapUpState::Expired),
            _ => None,
        }
    }
}

/// A wrap-up is owed for the chat until `deadline`.
pub async fn open(
    conn: &mut SqliteConnection,
    chat: ChatId,
    required: bool,
    deadline: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE chats SET wrap_up_state = 'pending', wrap_up_required = ?, wrap_up_deadline = ?
         WHERE id = ?",
    )
    .bind(required)
    .bind(to_millis(deadline))
    .bind(chat.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The agent gave a wrap-up (a later one replaces an earlier one).
pub async fn record(
    conn: &mut SqliteConnection,
    chat: ChatId,
    wrap_up: &WrapUp,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE chats SET wrap_up_state = 'done', wrap_up = ?, wrap_up_at = ? WHERE id = ?",
    )
    .bind(serde_json::to_string(wrap_up)?)
    .bind(to_millis(at))
    .bind(chat.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The deadline passed without a wrap-up.
pub async fn expire(conn: &mut SqliteConnection, chat: ChatId) -> Result<()> {
    sqlx::query(
        "UPDATE chats SET wrap_up_state = 'expired' WHERE id = ? AND wrap_up_state = 'pending'",
    )
    .bind(chat.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One chat's wrap-up as it stands, with the agent who owes or gave it.
#[derive(Debug, Clone, FromRow)]
pub struct WrapUpRow {
    pub chat_id: i64,
    pub agent_id: Option<i64>,
    pub department_id: i64,
    pub state: String,
    #[sqlx(flatten)]
    pub columns: WrapUpColumns,
}

const ROW_SELECT: &str = "SELECT id AS chat_id, agent_id, department_id, state, wrap_up_state,
    wrap_up_required, wrap_up_deadline, wrap_up, wrap_up_at FROM chats";

pub async fn get(conn: &mut SqliteConnection, chat: ChatId) -> Result<Option<WrapUpRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ROW_SELECT} WHERE id = ?")))
            .bind(chat.0)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Every wrap-up still owed (after a restart: to count against caps again).
pub async fn pending(conn: &mut SqliteConnection) -> Result<Vec<(ChatId, AgentId, DateTime<Utc>)>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, agent_id, wrap_up_deadline FROM chats
         WHERE wrap_up_state = 'pending' AND agent_id IS NOT NULL AND wrap_up_deadline IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(chat, agent, deadline)| (ChatId(chat), AgentId(agent), from_millis(deadline)))
        .collect())
}
