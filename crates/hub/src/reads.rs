//! Agent requests that only read the store: open chats, a chat's events, whole
//! transcripts, a visitor's earlier chats, and history pages. Each checks that the
//! agent may see the chat.

use serde_json::Value;
use switchboard_protocol::agent::{AgentRequest, Chats, EventPage, HistoryPage, Transcript};
use switchboard_protocol::{AgentId, ChatId, ErrorCode};

use crate::error::{Error, Result};
use crate::store::{SqliteConnection, Store, chats};

const MAX_EVENTS: u32 = 500;
const MAX_HISTORY: u32 = 100;
const MAX_VISITOR_HISTORY: u32 = 50;

pub(crate) async fn answer(store: &Store, agent: AgentId, request: AgentRequest) -> Result<Value> {
    let mut conn = store.acquire().await?;
    let value = match request {
        AgentRequest::ChatList(_) => serde_json::to_value(Chats {
            chats: chats::held(&mut conn, agent).await?,
        })?,
        AgentRequest::ChatEvents(r) => {
            readable(&mut conn, agent, r.chat_id).await?;
            let limit = r.limit.unwrap_or(MAX_EVENTS).clamp(1, MAX_EVENTS);
            let mut events = chats::events(&mut conn, r.chat_id, r.after, limit + 1).await?;
            let more = events.len() > limit as usize;
            events.truncate(limit as usize);
            serde_json::to_value(EventPage { events, more })?
        }
        AgentRequest::TranscriptGet(r) => {
            readable(&mut conn, agent, r.chat_id).await?;
            let chat = chats::summary(&mut conn, r.chat_id)
                .await?
                .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
            let events = chats::all_events(&mut conn, r.chat_id).await?;
            serde_json::to_value(Transcript { chat, events })?
        }
        AgentRequest::VisitorHistory(r) => {
            readable(&mut conn, agent, r.chat_id).await?;
            serde_json::to_value(Chats {
                chats: chats::visitor_history(&mut conn, agent, r.chat_id, MAX_VISITOR_HISTORY)
                    .await?,
            })?
        }
        AgentRequest::HistoryList(r) => {
            let limit = r.limit.unwrap_or(MAX_HISTORY).clamp(1, MAX_HISTORY);
            let mut chats = chats::history(&mut conn, agent, r.before, limit + 1).await?;
            let more = chats.len() > limit as usize;
            chats.truncate(limit as usize);
            serde_json::to_value(HistoryPage { chats, more })?
        }
        other => {
            return Err(Error::wire(
                ErrorCode::Internal,
                format!("`{}` is not a read", other.action()),
            ));
        }
    };
    Ok(value)
}

async fn readable(conn: &mut SqliteConnection, agent: AgentId, chat: ChatId) -> Result<()> {
    if chats::may_read(conn, agent, chat).await? {
        return Ok(());
    }
    match chats::get(conn, chat).await? {
        Some(_) => Err(Error::wire(
            ErrorCode::Forbidden,
            "you may not read this chat",
        )),
        None => Err(Error::wire(ErrorCode::NotFound, "no such chat")),
    }
}
