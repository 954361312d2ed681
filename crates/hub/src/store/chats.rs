//! Chats and their transcripts.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use switchboard_protocol::{
    AgentId, AgentRef, ChatEvent, ChatId, ChatState, ChatSummary, DepartmentId, DepartmentRef,
    EndReason, EndedBy, EventBody, EventId, VisitorInfo,
};

use super::replies::Scope;
use super::sites::SiteId;
use super::wrap_ups::WrapUpColumns;
use super::{Deferred, DeferredValue, SqliteConnection, enum_text, parse_enum, to_u32};
use crate::clock::{from_millis, to_millis};
use crate::error::Result;

const CHAT_COLUMNS: &str = "id, department_id, site_id, site_host, required_skill, state, agent_id, \
    visitor_name, visitor_email, question, page_url, user_agent, remote_addr, created_at, queued_at, \
    accepted_at, ended_at, ended_by, visitor_waiting_since, visitor_silent_since, prompted";

/// A chat row as the hub core works with it (no secrets).
#[derive(Debug, Clone, FromRow)]
pub struct ChatRow {
    pub id: i64,
    pub department_id: i64,
    pub site_id: Option<i64>,
    pub site_host: Option<String>,
    pub required_skill: Option<String>,
    pub state: String,
    pub agent_id: Option<i64>,
    pub visitor_name: String,
    pub visitor_email: Option<String>,
    pub question: String,
    pub page_url: Option<String>,
    pub user_agent: Option<String>,
    pub remote_addr: String,
    pub created_at: i64,
    pub queued_at: i64,
    pub accepted_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub ended_by: Option<String>,
    pub visitor_waiting_since: Option<i64>,
    pub visitor_silent_since: Option<i64>,
    pub prompted: bool,
}

impl ChatRow {
    pub fn chat_id(&self) -> ChatId {
        ChatId(self.id)
    }

    pub fn state(&self) -> ChatState {
        parse_enum(&self.state).unwrap_or(ChatState::Ended)
    }
}

/// Everything a visitor gives when starting a chat.
pub struct NewChat<'a> {
    pub department: DepartmentId,
    pub site: Option<SiteId>,
    pub site_host: Option<&'a str>,
    pub required_skill: Option<&'a str>,
    pub visitor_name: &'a str,
    pub visitor_email: Option<&'a str>,
    pub question: &'a str,
    pub page_url: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub remote_addr: &'a str,
    pub token_hash: &'a [u8],
    pub start_client_id: &'a str,
}

pub async fn insert(conn: &mut SqliteConnection, new: &NewChat<'_>, now: i64) -> Result<ChatId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chats (department_id, site_id, site_host, required_skill, state, visitor_name,
            visitor_email, question, page_url, user_agent, remote_addr, visitor_token_hash,
            start_client_id, created_at, queued_at, visitor_waiting_since)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.department.0)
    .bind(new.site.map(|s| s.0))
    .bind(new.site_host)
    .bind(new.required_skill)
    .bind(new.visitor_name)
    .bind(new.visitor_email)
    .bind(new.question)
    .bind(new.page_url)
    .bind(new.user_agent)
    .bind(new.remote_addr)
    .bind(new.token_hash)
    .bind(new.start_client_id)
    .bind(now)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ChatId(id))
}

pub async fn get(conn: &mut SqliteConnection, id: ChatId) -> Result<Option<ChatRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CHAT_COLUMNS} FROM chats WHERE id = ?"
    )))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn by_token(conn: &mut SqliteConnection, token_hash: &[u8]) -> Result<Option<ChatRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CHAT_COLUMNS} FROM chats WHERE visitor_token_hash = ?"
    )))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A chat started by the same address with the same client id since `since`.
pub async fn recent_start(
    conn: &mut SqliteConnection,
    remote_addr: &str,
    client_id: &str,
    since: i64,
) -> Result<Option<ChatRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CHAT_COLUMNS} FROM chats WHERE remote_addr = ? AND start_client_id = ?
         AND created_at >= ? ORDER BY id DESC LIMIT 1"
    )))
    .bind(remote_addr)
    .bind(client_id)
    .bind(since)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn set_token(conn: &mut SqliteConnection, id: ChatId, token_hash: &[u8]) -> Result<()> {
    sqlx::query("UPDATE chats SET visitor_token_hash = ? WHERE id = ?")
        .bind(token_hash)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Chats that are not over: queued, offered or active.
pub async fn open(conn: &mut SqliteConnection) -> Result<Vec<ChatRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CHAT_COLUMNS} FROM chats WHERE state IN ('queued', 'offered', 'active') ORDER BY queued_at, id"
    )))
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn set_state(conn: &mut SqliteConnection, id: ChatId, state: ChatState) -> Result<()> {
    sqlx::query("UPDATE chats SET state = ? WHERE id = ?")
        .bind(enum_text(&state))
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn accept(
    conn: &mut SqliteConnection,
    id: ChatId,
    agent: AgentId,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE chats SET state = 'active', agent_id = ?, accepted_at = ? WHERE id = ?")
        .bind(agent.0)
        .bind(now)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT OR IGNORE INTO chat_agents (chat_id, agent_id, joined_at) VALUES (?, ?, ?)",
    )
    .bind(id.0)
    .bind(agent.0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Back to waiting, without an agent (its agent was gone too long).
pub async fn requeue(conn: &mut SqliteConnection, id: ChatId) -> Result<()> {
    sqlx::query("UPDATE chats SET state = 'queued', agent_id = NULL WHERE id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn end(
    conn: &mut SqliteConnection,
    id: ChatId,
    now: i64,
    by: EndedBy,
    reason: EndReason,
) -> Result<()> {
    sqlx::query(
        "UPDATE chats SET state = 'ended', ended_at = ?, ended_by = ?, end_reason = ?,
         visitor_waiting_since = NULL, visitor_silent_since = NULL WHERE id = ?",
    )
    .bind(now)
    .bind(enum_text(&by))
    .bind(enum_text(&reason))
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The etiquette clocks of a chat (see the `chats` table).
pub async fn set_etiquette(
    conn: &mut SqliteConnection,
    id: ChatId,
    waiting_since: Option<DateTime<Utc>>,
    silent_since: Option<DateTime<Utc>>,
    prompted: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE chats SET visitor_waiting_since = ?, visitor_silent_since = ?, prompted = ? WHERE id = ?",
    )
    .bind(waiting_since.map(to_millis))
    .bind(silent_since.map(to_millis))
    .bind(prompted)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct EventRow {
    id: i64,
    chat_id: i64,
    at: i64,
    body: String,
}

impl EventRow {
    fn into_event(self) -> ChatEvent {
        ChatEvent {
            id: EventId(self.id),
            chat_id: ChatId(self.chat_id),
            at: from_millis(self.at),
            body: serde_json::from_str(&self.body).unwrap_or(EventBody::Unknown),
        }
    }
}

/// Add an event to a chat's transcript.
pub async fn append_event(
    conn: &mut SqliteConnection,
    chat: ChatId,
    at: DateTime<Utc>,
    body: EventBody,
) -> Result<ChatEvent> {
    let event = insert_event(conn, chat, at, body).await?;
    sqlx::query("UPDATE chats SET last_event_id = ? WHERE id = ?")
        .bind(event.id.0)
        .bind(chat.0)
        .execute(&mut *conn)
        .await?;
    Ok(event)
}

/// Add an event to the transcript without moving the chat's `last_event_id`; the
/// caller does that with [`set_message_state_deferred`] in the same transaction.
pub async fn insert_event(
    conn: &mut SqliteConnection,
    chat: ChatId,
    at: DateTime<Utc>,
    body: EventBody,
) -> Result<ChatEvent> {
    let json = serde_json::to_string(&body)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chat_events (chat_id, at, body) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(chat.0)
    .bind(to_millis(at))
    .bind(json)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ChatEvent {
        id: EventId(id),
        chat_id: chat,
        at,
        body,
    })
}

/// Store a message unless its sender already has a reply stored under `client_id`
/// (the message is a retry): the check is part of the insert, so a message costs one
/// round trip to SQLite rather than two. `None` for a retry.
pub async fn insert_message_event(
    conn: &mut SqliteConnection,
    chat: ChatId,
    at: DateTime<Utc>,
    body: EventBody,
    scope: Scope,
    client_id: &str,
) -> Result<Option<ChatEvent>> {
    let json = serde_json::to_string(&body)?;
    let (kind, owner) = scope.parts();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO chat_events (chat_id, at, body) SELECT ?, ?, ? \
         WHERE NOT EXISTS (SELECT 1 FROM replies WHERE scope = ? AND owner = ? AND client_id = ?) \
         RETURNING id",
    )
    .bind(chat.0)
    .bind(to_millis(at))
    .bind(json)
    .bind(kind)
    .bind(owner)
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id.map(|id| ChatEvent {
        id: EventId(id),
        chat_id: chat,
        at,
        body,
    }))
}

/// Store an event numbered by the caller (see `hub::change`), deferred to the commit.
pub(crate) fn insert_event_deferred(deferred: &mut Deferred, event: &ChatEvent) -> Result<()> {
    deferred.add(
        "INSERT INTO chat_events (id, chat_id, at, body) VALUES (?, ?, ?, ?)",
        vec![
            DeferredValue::Int(event.id.0),
            DeferredValue::Int(event.chat_id.0),
            DeferredValue::Int(to_millis(event.at)),
            DeferredValue::Text(serde_json::to_string(&event.body)?),
        ],
    )
}

/// After a message: the chat's newest event and its etiquette clocks (see
/// [`set_etiquette`]), deferred to the commit.
pub(crate) fn set_message_state_deferred(
    deferred: &mut Deferred,
    chat: ChatId,
    last_event: EventId,
    waiting_since: Option<DateTime<Utc>>,
    silent_since: Option<DateTime<Utc>>,
    prompted: bool,
) -> Result<()> {
    deferred.add(
        "UPDATE chats SET last_event_id = ?, visitor_waiting_since = ?, visitor_silent_since = ?, \
         prompted = ? WHERE id = ?",
        vec![
            DeferredValue::Int(last_event.0),
            DeferredValue::OptInt(waiting_since.map(to_millis)),
            DeferredValue::OptInt(silent_since.map(to_millis)),
            DeferredValue::Bool(prompted),
            DeferredValue::Int(chat.0),
        ],
    )
}

/// Events after `after` (all when `None`), oldest first, at most `limit`.
pub async fn events(
    conn: &mut SqliteConnection,
    chat: ChatId,
    after: Option<EventId>,
    limit: u32,
) -> Result<Vec<ChatEvent>> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, chat_id, at, body FROM chat_events WHERE chat_id = ? AND id > ? ORDER BY id LIMIT ?",
    )
    .bind(chat.0)
    .bind(after.map_or(0, |e| e.0))
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(EventRow::into_event).collect())
}

/// The whole transcript.
pub async fn all_events(conn: &mut SqliteConnection, chat: ChatId) -> Result<Vec<ChatEvent>> {
    events(conn, chat, None, u32::MAX).await
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.department_id, d.name AS department_name, c.site_host,
    c.state, c.agent_id, a.name AS agent_name, c.visitor_name, c.visitor_email, c.question,
    c.page_url, c.user_agent, c.created_at, c.accepted_at, c.ended_at, c.last_event_id,
    c.visitor_waiting_since, c.wrap_up_state, c.wrap_up_required, c.wrap_up_deadline,
    c.wrap_up, c.wrap_up_at,
    (SELECT COUNT(*) FROM chats p WHERE c.visitor_email IS NOT NULL
        AND p.visitor_email = c.visitor_email AND p.id < c.id) AS previous_chats
    FROM chats c JOIN departments d ON d.id = c.department_id
    LEFT JOIN agents a ON a.id = c.agent_id";

#[derive(FromRow)]
struct SummaryRow {
    id: i64,
    department_id: i64,
    department_name: String,
    site_host: Option<String>,
    state: String,
    agent_id: Option<i64>,
    agent_name: Option<String>,
    visitor_name: String,
    visitor_email: Option<String>,
    question: String,
    page_url: Option<String>,
    user_agent: Option<String>,
    created_at: i64,
    accepted_at: Option<i64>,
    ended_at: Option<i64>,
    last_event_id: Option<i64>,
    visitor_waiting_since: Option<i64>,
    #[sqlx(flatten)]
    wrap_up: WrapUpColumns,
    previous_chats: i64,
}

impl SummaryRow {
    fn into_summary(self) -> ChatSummary {
        ChatSummary {
            id: ChatId(self.id),
            department: DepartmentRef {
                id: DepartmentId(self.department_id),
                name: self.department_name,
            },
            visitor: VisitorInfo {
                name: self.visitor_name,
                email: self.visitor_email,
                page_url: self.page_url,
                user_agent: self.user_agent,
                site: self.site_host,
                previous_chats: to_u32(self.previous_chats),
            },
            question: self.question,
            state: parse_enum(&self.state).unwrap_or(ChatState::Ended),
            agent: match (self.agent_id, self.agent_name) {
                (Some(id), Some(name)) => Some(AgentRef {
                    id: AgentId(id),
                    name,
                }),
                _ => None,
            },
            created_at: from_millis(self.created_at),
            accepted_at: self.accepted_at.map(from_millis),
            ended_at: self.ended_at.map(from_millis),
            last_event_id: self.last_event_id.map(EventId),
            visitor_waiting_since: self.visitor_waiting_since.map(from_millis),
            wrap_up: self.wrap_up.state(),
        }
    }
}

pub async fn summary(conn: &mut SqliteConnection, id: ChatId) -> Result<Option<ChatSummary>> {
    let row: Option<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY_SELECT} WHERE c.id = ?"
    )))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(SummaryRow::into_summary))
}

/// The chats an agent holds now: active, and ended with a wrap-up still owed.
pub async fn held(conn: &mut SqliteConnection, agent: AgentId) -> Result<Vec<ChatSummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY_SELECT} WHERE c.agent_id = ? AND (c.state = 'active'
         OR (c.state = 'ended' AND c.wrap_up_state = 'pending')) ORDER BY c.accepted_at, c.id"
    )))
    .bind(agent.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(SummaryRow::into_summary).collect())
}

const READABLE: &str =
    "(EXISTS (SELECT 1 FROM chat_agents ca WHERE ca.chat_id = c.id AND ca.agent_id = ?1)
    OR c.department_id IN (SELECT department_id FROM agent_departments WHERE agent_id = ?1)
    OR EXISTS (SELECT 1 FROM offers o WHERE o.chat_id = c.id AND o.agent_id = ?1))";

/// Whether an agent may read a chat: it took part, the chat is of one of its
/// departments, or it was offered the chat.
pub async fn may_read(conn: &mut SqliteConnection, agent: AgentId, chat: ChatId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT c.id FROM chats c WHERE {READABLE} AND c.id = ?2"
    )))
    .bind(agent.0)
    .bind(chat.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Finished chats the agent may read, newest first.
pub async fn history(
    conn: &mut SqliteConnection,
    agent: AgentId,
    before: Option<ChatId>,
    limit: u32,
) -> Result<Vec<ChatSummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY_SELECT} WHERE {READABLE} AND c.state IN ('ended', 'missed') AND c.id < ?2
         ORDER BY c.id DESC LIMIT ?3"
    )))
    .bind(agent.0)
    .bind(before.map_or(i64::MAX, |c| c.0))
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(SummaryRow::into_summary).collect())
}

/// Other chats from the same email address as `chat`, that the agent may read,
/// newest first.
pub async fn visitor_history(
    conn: &mut SqliteConnection,
    agent: AgentId,
    chat: ChatId,
    limit: u32,
) -> Result<Vec<ChatSummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY_SELECT} WHERE {READABLE} AND c.id <> ?2 AND c.visitor_email IS NOT NULL
         AND c.visitor_email = (SELECT visitor_email FROM chats WHERE id = ?2)
         ORDER BY c.id DESC LIMIT ?3"
    )))
    .bind(agent.0)
    .bind(chat.0)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(SummaryRow::into_summary).collect())
}
