//! The missed-chats list: one entry per chat nobody took, its state and claim, and
//! the list entry as agents see it (the visitor's details and words come from the
//! chat itself).

use sqlx::FromRow;
use switchboard_protocol::{
    AgentId, AgentRef, Author, ChatId, DepartmentId, EndReason, EndedBy, EventBody, MissedChat,
    MissedChatId, MissedReason, MissedState,
};

use super::{SqliteConnection, chats, emails, enum_text, parse_enum};
use crate::clock::from_millis;
use crate::error::Result;

const COLUMNS: &str = "id, chat_id, department_id, reason, state, claimed_by, claim_expires_at, \
    offline_addr, offline_client_id, created_at, updated_at";

#[derive(Debug, Clone, FromRow)]
pub struct MissedRow {
    pub id: i64,
    pub chat_id: i64,
    pub department_id: i64,
    pub reason: String,
    pub state: String,
    pub claimed_by: Option<i64>,
    pub claim_expires_at: Option<i64>,
    pub offline_addr: Option<String>,
    pub offline_client_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MissedRow {
    pub fn missed_id(&self) -> MissedChatId {
        MissedChatId(self.id)
    }

    pub fn chat(&self) -> ChatId {
        ChatId(self.chat_id)
    }

    pub fn department(&self) -> DepartmentId {
        DepartmentId(self.department_id)
    }

    pub fn state(&self) -> MissedState {
        parse_enum(&self.state).unwrap_or(MissedState::Closed)
    }

    pub fn reason(&self) -> MissedReason {
        parse_enum(&self.reason).unwrap_or(MissedReason::Other)
    }

    /// Whether the visitor already left a message through the offline form.
    pub fn has_offline_message(&self) -> bool {
        self.offline_client_id.is_some()
    }
}

pub async fn insert(
    conn: &mut SqliteConnection,
    chat: ChatId,
    department: DepartmentId,
    reason: MissedReason,
    now: i64,
) -> Result<MissedChatId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO missed_chats (chat_id, department_id, reason, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(chat.0)
    .bind(department.0)
    .bind(enum_text(&reason))
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(MissedChatId(id))
}

pub async fn get(conn: &mut SqliteConnection, id: MissedChatId) -> Result<Option<MissedRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM missed_chats WHERE id = ?"
    )))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn by_chat(conn: &mut SqliteConnection, chat: ChatId) -> Result<Option<MissedRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM missed_chats WHERE chat_id = ?"
    )))
    .bind(chat.0)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The entry an `offline.send` from `addr` with `client_id` made or completed.
pub async fn by_offline(
    conn: &mut SqliteConnection,
    addr: &str,
    client_id: &str,
) -> Result<Option<MissedRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM missed_chats WHERE offline_addr = ? AND offline_client_id = ?"
    )))
    .bind(addr)
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Remember the `offline.send` that completed this entry.
pub async fn set_offline(
    conn: &mut SqliteConnection,
    id: MissedChatId,
    addr: &str,
    client_id: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE missed_chats SET offline_addr = ?, offline_client_id = ?, updated_at = ? WHERE id = ?",
    )
    .bind(addr)
    .bind(client_id)
    .bind(now)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Set the state and the claim together (`claimed_by` stays as given: the holder, the
/// last holder, or nobody).
pub async fn set_state(
    conn: &mut SqliteConnection,
    id: MissedChatId,
    state: MissedState,
    claimed_by: Option<AgentId>,
    claim_expires_at: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE missed_chats SET state = ?, claimed_by = ?, claim_expires_at = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(enum_text(&state))
    .bind(claimed_by.map(|a| a.0))
    .bind(claim_expires_at)
    .bind(now)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Mark the entry changed (a delivery update) without changing its state.
pub async fn touch(conn: &mut SqliteConnection, id: MissedChatId, now: i64) -> Result<()> {
    sqlx::query("UPDATE missed_chats SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The chat itself is over and missed: nobody took it.
pub async fn end_chat(
    conn: &mut SqliteConnection,
    chat: ChatId,
    now: i64,
    by: EndedBy,
    reason: EndReason,
) -> Result<()> {
    sqlx::query(
        "UPDATE chats SET state = 'missed', ended_at = ?, ended_by = ?, end_reason = ?,
         visitor_waiting_since = NULL, visitor_silent_since = NULL WHERE id = ?",
    )
    .bind(now)
    .bind(enum_text(&by))
    .bind(enum_text(&reason))
    .bind(chat.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The address the visitor gave later (the offline form), so the entry can be answered.
pub async fn set_visitor_email(
    conn: &mut SqliteConnection,
    chat: ChatId,
    email: &str,
) -> Result<()> {
    sqlx::query("UPDATE chats SET visitor_email = ? WHERE id = ?")
        .bind(email)
        .bind(chat.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every entry under a claim, for re-arming claim expiry at start.
pub async fn claimed(conn: &mut SqliteConnection) -> Result<Vec<MissedRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM missed_chats WHERE state = 'claimed'"
    )))
    .fetch_all(&mut *conn)
    .await?)
}

/// The agents who see a department's missed chats: its enabled members.
pub async fn department_agents(
    conn: &mut SqliteConnection,
    department: DepartmentId,
) -> Result<Vec<AgentId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT a.id FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id
         WHERE ad.department_id = ? AND a.disabled = 0 ORDER BY a.id",
    )
    .bind(department.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(AgentId).collect())
}

/// An agent's display name, for naming who holds a claim.
pub async fn agent_name(conn: &mut SqliteConnection, agent: AgentId) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT name FROM agents WHERE id = ?")
        .bind(agent.0)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The list an agent sees: entries of its departments that are open or claimed, or
/// changed since `since`; newest first.
pub async fn listed_for(
    conn: &mut SqliteConnection,
    agent: AgentId,
    since: i64,
) -> Result<Vec<MissedChatId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT m.id FROM missed_chats m
         WHERE m.department_id IN (SELECT department_id FROM agent_departments WHERE agent_id = ?)
         AND (m.state IN ('open', 'claimed') OR m.updated_at >= ?)
         ORDER BY m.id DESC",
    )
    .bind(agent.0)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(MissedChatId).collect())
}

/// The entry as agents see it, with the visitor's details, everything the visitor
/// wrote, and the replies with their delivery.
pub async fn view(conn: &mut SqliteConnection, id: MissedChatId) -> Result<Option<MissedChat>> {
    let Some(row) = get(conn, id).await? else {
        return Ok(None);
    };
    let Some(chat) = chats::summary(conn, row.chat()).await? else {
        return Ok(None);
    };
    let events = chats::all_events(conn, row.chat())
        .await?
        .into_iter()
        .filter(|e| {
            matches!(
                e.body,
                EventBody::Message {
                    author: Author::Visitor { .. },
                    ..
                }
            )
        })
        .collect();
    let claimed_by = match row.claimed_by {
        Some(agent) => agent_name(conn, AgentId(agent))
            .await?
            .map(|name| AgentRef {
                id: AgentId(agent),
                name,
            }),
        None => None,
    };
    let state = row.state();
    Ok(Some(MissedChat {
        id,
        chat_id: row.chat(),
        department: chat.department,
        answerable: crate::email::answerable(chat.visitor.email.as_deref()),
        visitor: chat.visitor,
        question: chat.question,
        reason: row.reason(),
        state,
        created_at: from_millis(row.created_at),
        claimed_by,
        claim_expires_at: row
            .claim_expires_at
            .filter(|_| state == MissedState::Claimed)
            .map(from_millis),
        events,
        replies: emails::for_missed(conn, id).await?,
    }))
}
