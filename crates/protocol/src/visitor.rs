//! The visitor protocol on `/v1/visitor/ws`, spoken by the website widget.
//!
//! The hub checks the connection's `Origin` against the allow-list of the site it
//! belongs to. A visitor reaches only its own chat, through the unguessable token that
//! `chat.start` returns; the widget keeps it in sessionStorage and presents it in
//! `hello` after a reload or a reconnect. Visitors never see agent ids, transfer notes
//! or wrap-ups.

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::model::{EndedBy, Party, Survey, Timestamp};

/// Opens the session; with `token`, re-attaches to that chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Hello {
    pub protocol: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Welcome {
    /// Departments the widget may offer, with whether a chat can start now.
    pub departments: Vec<DepartmentStatus>,
    /// The chat behind `token`, with its transcript; absent without a (valid) token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<VisitorChat>,
    #[ts(type = "number")]
    pub heartbeat_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DepartmentStatus {
    pub name: String,
    /// Inside opening hours.
    pub open: bool,
    /// Open and somebody could take a chat (or queue it) now. When false the widget
    /// shows the offline-message form instead of the chat survey.
    pub available: bool,
}

/// The visitor's view of its chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitorChat {
    pub chat_id: ChatId,
    pub state: VisitorChatState,
    pub events: Vec<VisitorEvent>,
}

/// Where the visitor's chat is, as the widget shows it. Tagged by `kind`:
/// `{"kind": "queued", "position": 2}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VisitorChatState {
    /// Everyone is busy; `position` 1 is next.
    Queued { position: u32 },
    /// An agent is being asked.
    Connecting,
    /// Chatting with this agent.
    Connected { agent_name: String },
    /// Over.
    Ended { by: EndedBy },
    /// Nobody could take the chat. With `offline_form` the widget offers to leave a
    /// message that will be answered by email.
    Missed { offline_form: bool },
}

/// One transcript entry as the visitor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitorEvent {
    pub id: EventId,
    pub at: Timestamp,
    #[serde(flatten)]
    pub body: VisitorEventBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorEventBody {
    /// A message. `from: agent` carries the agent's display name; a hub prompt
    /// ("Are you still there?") comes as `from: agent` with the name of the site's
    /// team (`system: true`).
    Message {
        from: Party,
        name: String,
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        system: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientId>,
    },
    /// A short notice: "You are being transferred to Sales".
    Notice { text: String },
    #[serde(other)]
    Unknown,
}

/// Ask for a chat. `page_url` and `user_agent` are recorded with it (the hub also
/// reads the `User-Agent` header). The reply's state says whether it queued, is being
/// offered, or missed straight away (closed, nobody available).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatStart {
    pub client_id: ClientId,
    pub survey: Survey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatStarted {
    pub chat_id: ChatId,
    /// The visitor's secret for this chat. Keep it for the page session only.
    pub token: String,
    pub state: VisitorChatState,
    pub events: Vec<VisitorEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MessageSend {
    pub client_id: ClientId,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MessageSent {
    pub event: VisitorEvent,
}

/// Typing state and a preview of the draft (agents see it live). Ephemeral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TypingSet {
    pub typing: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
}

/// End the chat. Before an agent accepted, this makes it a missed chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct ChatEnd {}

/// Leave a message to be answered by email. Attached to the session's missed chat if
/// there is one, else it becomes a new missed chat (reason `offline_message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OfflineSend {
    pub client_id: ClientId,
    pub name: String,
    pub email: String,
    pub message: String,
    pub department: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OfflineSent {
    pub missed_id: MissedChatId,
}

pub use crate::agent::Done;

/// Heartbeat. The reply is `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct Ping {}

crate::requests! {
    /// Every request of the visitor protocol.
    pub enum VisitorRequest {
        "hello" => Hello(Hello) -> Welcome,
        "ping" => Ping(Ping) -> Done,
        "chat.start" => ChatStart(ChatStart) -> ChatStarted,
        "message.send" => MessageSend(MessageSend) -> MessageSent,
        "typing.set" => TypingSet(TypingSet) -> Done,
        "chat.end" => ChatEnd(ChatEnd) -> Done,
        "offline.send" => OfflineSend(OfflineSend) -> OfflineSent,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StatePush {
    pub state: VisitorChatState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EventPush {
    pub event: VisitorEvent,
}

/// The agent is typing (never a preview). Ephemeral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TypingPush {
    pub typing: bool,
}

crate::pushes! {
    /// Every push of the visitor protocol. None is durable: after a reconnect the
    /// widget re-reads its chat through `hello` with its token.
    pub enum VisitorPush {
        "chat.state" => State(StatePush),
        "chat.event" => Event(EventPush),
        "typing" => Typing(TypingPush),
        "session.closing" => Closing(crate::agent::Closing),
    }
}
