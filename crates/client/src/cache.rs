//! The local SQLite cache (WAL, embedded forward-only migrations): chats, events,
//! visitors, wrap-ups, offers, missed chats, canned responses, the outbox and the
//! sync cursor, with an FTS5 index over message text. It is a replica of what the hub
//! sent this agent; browsing and searching it needs no connection.
//!
//! Writes go through a pool of one connection, so transactions never race for the
//! write lock; reads use their own small pool and see committed data (WAL).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use switchboard_protocol::{
    AgentStatus, Author, CannedResponse, ChatEvent, ChatId, ChatState, ChatSummary, EventBody,
    EventId, MissedChat, Offer, Seq, WrapUp, WrapUpState,
};

use crate::error::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Read connections. A console's reads are short (a transcript, a page of history, a
/// search stopping at its limit), so two keep one slow read from holding up the rest;
/// each more costs its own page cache and statement cache for as long as the app runs.
const READERS: u32 = 2;

/// Page cache of each read connection, in KiB (SQLite's default is 2 MiB). The file's
/// pages stay in the OS page cache anyway; this only bounds what each connection keeps
/// privately, which the allocator does not give back once a search has filled it.
const READER_CACHE_KIB: u32 = 1024;

/// The local cache of one agent account.
#[derive(Debug, Clone)]
pub struct Cache {
    write: SqlitePool,
    read: SqlitePool,
}

/// A write transaction.
pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

/// Keys of the `meta` table.
pub(crate) mod keys {
    pub const AGENT: &str = "agent";
    pub const STATUS: &str = "status";
    pub const CHOSEN_STATUS: &str = "chosen_status";
    pub const DEPARTMENTS: &str = "departments";
}

impl Cache {
    /// Open (creating if needed) the cache file and bring its schema up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(Error::Cache)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(
                options
                    .read_only(true)
                    .pragma("cache_size", format!("-{READER_CACHE_KIB}")),
            )
            .await?;
        Ok(Self { write, read })
    }

    /// Close both pools, flushing the WAL.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// The read pool, for queries of other modules.
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// Start a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.write.begin().await?)
    }

    /// The last durable push applied (0 when none).
    pub async fn last_seq(&self) -> Result<Seq> {
        let (seq,): (i64,) = sqlx::query_as("SELECT last_seq FROM sync_cursor WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok(Seq(seq.max(0) as u64))
    }

    pub(crate) async fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.and_then(|(v,)| serde_json::from_str(&v).ok()))
    }

    /// The status the agent last chose in this app.
    pub async fn chosen_status(&self) -> Result<Option<AgentStatus>> {
        self.meta(keys::CHOSEN_STATUS).await
    }

    /// Chats this agent holds (active, or owing a wrap-up), oldest first.
    pub async fn held_chats(&self) -> Result<Vec<ChatSummary>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT summary FROM chats WHERE held = 1 ORDER BY id")
                .fetch_all(&self.read)
                .await?;
        Ok(rows.into_iter().filter_map(|(s,)| json(&s)).collect())
    }

    pub async fn chat(&self, id: ChatId) -> Result<Option<ChatSummary>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT summary FROM chats WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.and_then(|(s,)| json(&s)))
    }

    /// A chat's cached events, oldest first.
    pub async fn events(&self, chat_id: ChatId) -> Result<Vec<ChatEvent>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT body FROM events WHERE chat_id = ? ORDER BY id")
                .bind(chat_id.0)
                .fetch_all(&self.read)
                .await?;
        Ok(rows.into_iter().filter_map(|(s,)| json(&s)).collect())
    }

    /// The newest event of a chat held here: catch-up asks the hub for what follows.
    pub async fn last_event_id(&self, chat_id: ChatId) -> Result<Option<EventId>> {
        let (id,): (Option<i64>,) = sqlx::query_as("SELECT max(id) FROM events WHERE chat_id = ?")
            .bind(chat_id.0)
            .fetch_one(&self.read)
            .await?;
        Ok(id.map(EventId))
    }

    /// Offers still open, as last heard from the hub.
    pub async fn offers(&self) -> Result<Vec<Offer>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM offers ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        Ok(rows.into_iter().filter_map(|(s,)| json(&s)).collect())
    }

    /// The missed-chats list, newest first.
    pub async fn missed(&self) -> Result<Vec<MissedChat>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM missed_chats ORDER BY id DESC")
            .fetch_all(&self.read)
            .await?;
        Ok(rows.into_iter().filter_map(|(s,)| json(&s)).collect())
    }

    pub async fn canned(&self) -> Result<Vec<CannedResponse>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM canned_responses ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        Ok(rows.into_iter().filter_map(|(s,)| json(&s)).collect())
    }

    /// Whether the cache holds a chat's whole transcript: an ended chat whose newest
    /// event is cached.
    pub async fn has_full_transcript(&self, chat: &ChatSummary) -> Result<bool> {
        let Some(last) = chat.last_event_id else {
            return Ok(false);
        };
        Ok(self.last_event_id(chat.id).await? >= Some(last))
    }

    /// Browse cached chats, newest first, `limit` at a time; pass the last id of a
    /// page as `before` for the next.
    pub async fn history(&self, before: Option<ChatId>, limit: u32) -> Result<Vec<HistoryEntry>> {
        let rows: Vec<(String, i64, Option<String>)> = sqlx::query_as(
            "SELECT c.summary,
                    (SELECT count(*) FROM events e WHERE e.chat_id = c.id AND e.kind = 'message'),
                    (SELECT json_object('outcome', w.outcome, 'notes', w.notes, 'tags', json(w.tags))
                       FROM wrap_ups w WHERE w.chat_id = c.id)
               FROM chats c
              WHERE c.id < ?
              ORDER BY c.id DESC
              LIMIT ?",
        )
        .bind(before.map_or(i64::MAX, |c| c.0))
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(summary, messages, wrap_up)| {
                Some(HistoryEntry {
                    chat: json(&summary)?,
                    messages: messages.max(0) as u32,
                    wrap_up: wrap_up.as_deref().and_then(json),
                })
            })
            .collect())
    }

    /// A whole transcript from the cache.
    pub async fn transcript(&self, chat_id: ChatId) -> Result<Option<CachedTranscript>> {
        let Some(chat) = self.chat(chat_id).await? else {
            return Ok(None);
        };
        let events = self.events(chat_id).await?;
        Ok(Some(CachedTranscript { chat, events }))
    }

    /// Earlier chats from the same visitor email, newest first.
    pub async fn visitor_chats(&self, email: &str, except: ChatId) -> Result<Vec<ChatSummary>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT c.summary FROM chats c JOIN visitors v ON v.chat_id = c.id
              WHERE lower(v.email) = lower(?) AND c.id <> ?
              ORDER BY c.id DESC LIMIT 100",
        )
        .bind(email)
        .bind(except.0)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().filter_map(|(s,)| json(&s)).collect())
    }

    /// Full-text search over cached messages, newest first. Every word must match
    /// (as a prefix); punctuation in the query is ignored rather than parsed as FTS
    /// syntax, so no input can make the query fail. Ordering by the index's own rowid
    /// (the event id) lets FTS5 walk its matches newest first and stop at the limit,
    /// instead of collecting and sorting every match of a common word.
    pub async fn search(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let Some(matcher) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let rows: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT e.id, e.chat_id, e.body,
                    snippet(events_fts, -1, char(57344), char(57345), '…', 16),
                    c.summary
               FROM events_fts
               JOIN events e ON e.id = events_fts.rowid
               LEFT JOIN chats c ON c.id = e.chat_id
              WHERE events_fts MATCH ?
              ORDER BY events_fts.rowid DESC
              LIMIT ?",
        )
        .bind(matcher)
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(event_id, chat_id, body, snippet, summary)| {
                let event: ChatEvent = json(&body)?;
                Some(SearchHit {
                    chat_id: ChatId(chat_id),
                    event_id: EventId(event_id),
                    at: event.at,
                    author: event_author(&event.body),
                    snippet: snippet_parts(&snippet),
                    chat: summary.as_deref().and_then(json),
                })
            })
            .collect())
    }
}

/// One row of the history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct HistoryEntry {
    pub chat: ChatSummary,
    /// Messages cached for this chat.
    pub messages: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up: Option<WrapUp>,
}

/// A transcript as read from the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CachedTranscript {
    pub chat: ChatSummary,
    pub events: Vec<ChatEvent>,
}

/// A message that matched a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SearchHit {
    pub chat_id: ChatId,
    pub event_id: EventId,
    pub at: switchboard_protocol::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The matching passage, split into plain text and matched words, so the UI can
    /// highlight without ever parsing markup.
    pub snippet: Vec<SnippetPart>,
    /// The chat, when the cache has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<ChatSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SnippetPart {
    pub text: String,
    /// Whether this part matched the query.
    pub hit: bool,
}

const HIT_START: char = '\u{E000}';
const HIT_END: char = '\u{E001}';

fn snippet_parts(s: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut hit = false;
    for c in s.chars() {
        let marker = match c {
            HIT_START => Some(true),
            HIT_END => Some(false),
            _ => None,
        };
        match marker {
            Some(next) => {
                if !current.is_empty() {
                    parts.push(SnippetPart {
                        text: std::mem::take(&mut current),
                        hit,
                    });
                }
                hit = next;
            }
            None => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(SnippetPart { text: current, hit });
    }
    parts
}

/// Turn what a person typed into an FTS5 query: each word quoted, prefix-matched,
/// all required.
fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

fn json<T: DeserializeOwned>(s: &str) -> Option<T> {
    match serde_json::from_str(s) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!("skipping an unreadable cache row: {e}");
            None
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn event_author(body: &EventBody) -> Option<String> {
    match body {
        EventBody::Message { author, .. } => Some(match author {
            Author::Visitor { name } | Author::Agent { name, .. } => name.clone(),
            Author::System => String::new(),
        }),
        EventBody::EmailReply { agent, .. } => Some(agent.name.clone()),
        _ => None,
    }
}

fn event_kind(body: &EventBody) -> &'static str {
    match body {
        EventBody::Message { .. } => "message",
        EventBody::Joined { .. } => "joined",
        EventBody::TransferRequested { .. } => "transfer_requested",
        EventBody::TransferFailed { .. } => "transfer_failed",
        EventBody::Left { .. } => "left",
        EventBody::Ended { .. } => "ended",
        EventBody::WrapUp { .. } => "wrap_up",
        EventBody::EmailReply { .. } => "email_reply",
        EventBody::Notice { .. } => "notice",
        EventBody::Unknown => "unknown",
    }
}

fn chat_state(state: ChatState) -> &'static str {
    match state {
        ChatState::Queued => "queued",
        ChatState::Offered => "offered",
        ChatState::Active => "active",
        ChatState::Ended => "ended",
        ChatState::Missed => "missed",
    }
}

// ---- writes, inside a transaction ----

/// Record that durable push `seq` has been applied.
pub(crate) async fn set_cursor(conn: &mut SqliteConnection, seq: Seq) -> Result<()> {
    sqlx::query("UPDATE sync_cursor SET last_seq = ? WHERE id = 1")
        .bind(seq.0 as i64)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn put_meta<T: Serialize>(
    conn: &mut SqliteConnection,
    key: &str,
    value: &T,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(to_json(value))
    .execute(conn)
    .await?;
    Ok(())
}

/// Insert or update a chat and its visitor. `held` changes whether the agent holds
/// it; `None` keeps what the cache says (new rows: not held).
pub(crate) async fn upsert_chat(
    conn: &mut SqliteConnection,
    chat: &ChatSummary,
    held: Option<bool>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO chats (id, department_id, department_name, visitor_name, question, state,
                            agent_id, agent_name, created_at, ended_at, last_event_id, held, summary)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, 0), ?)
         ON CONFLICT (id) DO UPDATE SET
             department_id = excluded.department_id,
             department_name = excluded.department_name,
             visitor_name = excluded.visitor_name,
             question = excluded.question,
             state = excluded.state,
             agent_id = excluded.agent_id,
             agent_name = excluded.agent_name,
             ended_at = excluded.ended_at,
             last_event_id = max(coalesce(chats.last_event_id, 0), coalesce(excluded.last_event_id, 0)),
             held = coalesce(?, chats.held),
             summary = excluded.summary",
    )
    .bind(chat.id.0)
    .bind(chat.department.id.0)
    .bind(&chat.department.name)
    .bind(&chat.visitor.name)
    .bind(&chat.question)
    .bind(chat_state(chat.state))
    .bind(chat.agent.as_ref().map(|a| a.id.0))
    .bind(chat.agent.as_ref().map(|a| a.name.clone()))
    .bind(chat.created_at.to_rfc3339())
    .bind(chat.ended_at.map(|t| t.to_rfc3339()))
    .bind(chat.last_event_id.map(|e| e.0))
    .bind(held)
    .bind(to_json(chat))
    .bind(held)
    .execute(&mut *conn)
    .await?;
    let v = &chat.visitor;
    sqlx::query(
        "INSERT INTO visitors (chat_id, name, email, page_url, user_agent, site, previous_chats)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (chat_id) DO UPDATE SET
             name = excluded.name, email = excluded.email, page_url = excluded.page_url,
             user_agent = excluded.user_agent, site = excluded.site,
             previous_chats = excluded.previous_chats",
    )
    .bind(chat.id.0)
    .bind(&v.name)
    .bind(&v.email)
    .bind(&v.page_url)
    .bind(&v.user_agent)
    .bind(&v.site)
    .bind(i64::from(v.previous_chats))
    .execute(&mut *conn)
    .await?;
    if let Some(WrapUpState::Done { wrap_up, at }) = &chat.wrap_up {
        put_wrap_up(conn, chat.id, wrap_up, *at).await?;
    }
    Ok(())
}

pub(crate) async fn set_held(
    conn: &mut SqliteConnection,
    chat_id: ChatId,
    held: bool,
) -> Result<()> {
    sqlx::query("UPDATE chats SET held = ? WHERE id = ?")
        .bind(held)
        .bind(chat_id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Un-hold every chat (a snapshot lists the ones still held).
pub(crate) async fn clear_held(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("UPDATE chats SET held = 0 WHERE held = 1")
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn put_wrap_up(
    conn: &mut SqliteConnection,
    chat_id: ChatId,
    wrap_up: &WrapUp,
    at: switchboard_protocol::Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO wrap_ups (chat_id, outcome, notes, tags, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (chat_id) DO UPDATE SET outcome = excluded.outcome, notes = excluded.notes,
             tags = excluded.tags, at = excluded.at",
    )
    .bind(chat_id.0)
    .bind(&wrap_up.outcome)
    .bind(&wrap_up.notes)
    .bind(to_json(&wrap_up.tags))
    .bind(at.to_rfc3339())
    .execute(conn)
    .await?;
    Ok(())
}

/// Insert events the cache does not have yet; returns those that were new, in order.
/// Event ids never change meaning, so a replay or an overlapping catch-up is a no-op.
pub(crate) async fn insert_events(
    conn: &mut SqliteConnection,
    events: &[ChatEvent],
) -> Result<Vec<ChatEvent>> {
    let mut fresh = Vec::new();
    for event in events {
        let (text, client_id) = match &event.body {
            EventBody::Message {
                text, client_id, ..
            } => (
                Some(text.clone()),
                client_id.as_ref().map(|c| c.to_string()),
            ),
            EventBody::EmailReply { text, .. } => (Some(text.clone()), None),
            _ => (None, None),
        };
        let done = sqlx::query(
            "INSERT INTO events (id, chat_id, at, kind, author, text, client_id, body)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(event.id.0)
        .bind(event.chat_id.0)
        .bind(event.at.to_rfc3339())
        .bind(event_kind(&event.body))
        .bind(event_author(&event.body))
        .bind(text)
        .bind(client_id)
        .bind(to_json(event))
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            if let EventBody::WrapUp { wrap_up, .. } = &event.body {
                put_wrap_up(conn, event.chat_id, wrap_up, event.at).await?;
            }
            sqlx::query(
                "UPDATE chats SET last_event_id = max(coalesce(last_event_id, 0), ?) WHERE id = ?",
            )
            .bind(event.id.0)
            .bind(event.chat_id.0)
            .execute(&mut *conn)
            .await?;
            fresh.push(event.clone());
        }
    }
    fresh.sort_by_key(|e| e.id);
    Ok(fresh)
}

pub(crate) async fn upsert_offer(conn: &mut SqliteConnection, offer: &Offer) -> Result<()> {
    sqlx::query(
        "INSERT INTO offers (id, chat_id, expires_at, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET chat_id = excluded.chat_id,
             expires_at = excluded.expires_at, body = excluded.body",
    )
    .bind(offer.id.0)
    .bind(offer.chat.id.0)
    .bind(offer.expires_at.to_rfc3339())
    .bind(to_json(offer))
    .execute(conn)
    .await?;
    Ok(())
}

/// Remove offers by id, or every offer of a chat; returns the ids removed.
pub(crate) async fn delete_offers(
    conn: &mut SqliteConnection,
    offer_id: Option<switchboard_protocol::OfferId>,
    chat_id: Option<ChatId>,
) -> Result<Vec<switchboard_protocol::OfferId>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "DELETE FROM offers WHERE id = coalesce(?, -1) OR chat_id = coalesce(?, -1) RETURNING id",
    )
    .bind(offer_id.map(|o| o.0))
    .bind(chat_id.map(|c| c.0))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id,)| switchboard_protocol::OfferId(id))
        .collect())
}

pub(crate) async fn clear_offers(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM offers").execute(conn).await?;
    Ok(())
}

/// Store a missed chat, its events, and a chat row for it if the cache has none, so
/// its transcript shows in history and search.
pub(crate) async fn upsert_missed(conn: &mut SqliteConnection, missed: &MissedChat) -> Result<()> {
    sqlx::query(
        "INSERT INTO missed_chats (id, chat_id, state, created_at, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET chat_id = excluded.chat_id, state = excluded.state,
             body = excluded.body",
    )
    .bind(missed.id.0)
    .bind(missed.chat_id.0)
    .bind(to_json(&missed.state).trim_matches('"').to_owned())
    .bind(missed.created_at.to_rfc3339())
    .bind(to_json(missed))
    .execute(&mut *conn)
    .await?;
    let (known,): (i64,) = sqlx::query_as("SELECT count(*) FROM chats WHERE id = ?")
        .bind(missed.chat_id.0)
        .fetch_one(&mut *conn)
        .await?;
    if known == 0 {
        let summary = ChatSummary {
            id: missed.chat_id,
            department: missed.department.clone(),
            visitor: missed.visitor.clone(),
            question: missed.question.clone(),
            state: ChatState::Missed,
            agent: None,
            created_at: missed.created_at,
            accepted_at: None,
            ended_at: None,
            last_event_id: missed.events.iter().map(|e| e.id).max(),
            visitor_waiting_since: None,
            wrap_up: None,
        };
        upsert_chat(conn, &summary, Some(false)).await?;
    }
    insert_events(conn, &missed.events).await?;
    Ok(())
}

/// Replace the missed list with the hub's (a snapshot or `missed.list`).
pub(crate) async fn replace_missed(conn: &mut SqliteConnection, all: &[MissedChat]) -> Result<()> {
    sqlx::query("DELETE FROM missed_chats")
        .execute(&mut *conn)
        .await?;
    for m in all {
        upsert_missed(conn, m).await?;
    }
    Ok(())
}

pub(crate) async fn replace_canned(
    conn: &mut SqliteConnection,
    all: &[CannedResponse],
) -> Result<()> {
    sqlx::query("DELETE FROM canned_responses")
        .execute(&mut *conn)
        .await?;
    for c in all {
        upsert_canned(conn, c).await?;
    }
    Ok(())
}

pub(crate) async fn upsert_canned(conn: &mut SqliteConnection, c: &CannedResponse) -> Result<()> {
    sqlx::query(
        "INSERT INTO canned_responses (id, body) VALUES (?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
    )
    .bind(c.id.0)
    .bind(to_json(c))
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn delete_canned(
    conn: &mut SqliteConnection,
    id: switchboard_protocol::CannedId,
) -> Result<()> {
    sqlx::query("DELETE FROM canned_responses WHERE id = ?")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// A chat's events as seen inside a write transaction.
pub(crate) async fn events_in(
    conn: &mut SqliteConnection,
    chat_id: ChatId,
) -> Result<Vec<ChatEvent>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT body FROM events WHERE chat_id = ? ORDER BY id")
            .bind(chat_id.0)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().filter_map(|(s,)| json(&s)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_input_becomes_a_safe_prefix_query() {
        assert_eq!(fts_query("refund"), Some("\"refund\"*".into()));
        assert_eq!(
            fts_query("order #42, \"quoted\" AND-NOT"),
            Some("\"order\"* \"42\"* \"quoted\"* \"AND\"* \"NOT\"*".into()),
            "punctuation and FTS operators are plain words, never syntax"
        );
        assert_eq!(
            fts_query("  ** ( ) "),
            None,
            "nothing searchable means no query"
        );
    }

    #[test]
    fn snippets_split_into_plain_and_matched_parts() {
        let s = format!("my {HIT_START}refund{HIT_END} is late");
        let parts = snippet_parts(&s);
        assert_eq!(
            parts,
            vec![
                SnippetPart {
                    text: "my ".into(),
                    hit: false
                },
                SnippetPart {
                    text: "refund".into(),
                    hit: true
                },
                SnippetPart {
                    text: " is late".into(),
                    hit: false
                },
            ]
        );
    }
}
