//! The values that travel inside frames: agents, departments, chats and their events,
//! offers, the queue, missed chats, wrap-ups and canned responses.
//!
//! Times are the hub's clock only, RFC 3339 in UTC. Optional fields are omitted when
//! empty and default when missing, so older peers keep working.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::*;

/// A point in time on the hub's clock.
pub type Timestamp = DateTime<Utc>;

/// What an agent has chosen. Only `online` agents with a live connection receive
/// offers; `away` agents keep their chats but get no new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Online,
    Away,
    Offline,
}

/// What an agent account may do beyond its own chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Agent,
    /// May manage shared canned responses and see every department's queue.
    Admin,
}

/// A department by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DepartmentRef {
    pub id: DepartmentId,
    pub name: String,
}

/// An agent by id and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AgentRef {
    pub id: AgentId,
    pub name: String,
}

/// The signed-in agent's own account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AgentInfo {
    pub id: AgentId,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub role: Role,
    /// Concurrent-chat cap.
    pub max_chats: u32,
    #[serde(default)]
    pub departments: Vec<DepartmentRef>,
    #[serde(default)]
    pub skills: Vec<String>,
}

/// What an agent needs to know of a department to work in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DepartmentInfo {
    pub id: DepartmentId,
    pub name: String,
    /// Wrap-up outcome codes, in display order.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Whether a wrap-up needs an outcome. When false the agent may skip it (an empty
    /// outcome); either way a chat in wrap-up takes a slot until it is done or expires.
    #[serde(default)]
    pub wrap_up_required: bool,
    /// Seconds after which an unfinished wrap-up stops counting against the cap.
    pub wrap_up_timeout_secs: u32,
    /// Alert thresholds, for the app's waiting-time colours.
    pub wait_alert_secs: u32,
    pub reply_alert_secs: u32,
}

/// Another agent as a transfer target, with availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AgentAvailability {
    pub id: AgentId,
    pub name: String,
    pub status: AgentStatus,
    /// Whether the agent has a live connection right now.
    pub connected: bool,
    pub active_chats: u32,
    pub max_chats: u32,
    #[serde(default)]
    pub departments: Vec<DepartmentRef>,
}

/// A department as a transfer target, with availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DepartmentAvailability {
    pub id: DepartmentId,
    pub name: String,
    /// Inside opening hours.
    pub open: bool,
    /// Agents online and connected who could take a chat of this department.
    pub agents_online: u32,
    /// Free chat slots among them.
    pub free_slots: u32,
    pub queue_length: u32,
}

/// The pre-chat survey as the visitor filled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Survey {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub question: String,
    /// Department name as the widget names it (case-insensitive on the hub).
    pub department: String,
}

/// Who the visitor is, as far as the hub knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitorInfo {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The page the chat was started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The website (origin host) the chat came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Earlier chats from the same email address (see `visitor.history`).
    #[serde(default)]
    pub previous_chats: u32,
}

/// Where a chat is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChatState {
    /// Waiting in a department's queue.
    Queued,
    /// Being offered to an agent (a new chat or a transfer to a department).
    Offered,
    /// An agent is chatting with the visitor.
    Active,
    /// Over. The agent may still owe a wrap-up.
    Ended,
    /// Nobody accepted it; it is in the missed-chats list.
    Missed,
}

/// A chat as listed: enough for a tab, a queue row or a history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatSummary {
    pub id: ChatId,
    pub department: DepartmentRef,
    pub visitor: VisitorInfo,
    pub question: String,
    pub state: ChatState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentRef>,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// The newest event's id; a client holding fewer events asks `chat.events`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<EventId>,
    /// The visitor's last message not yet answered by an agent, for the reply alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_waiting_since: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up: Option<WrapUpState>,
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    Visitor {
        name: String,
    },
    Agent {
        id: AgentId,
        name: String,
    },
    /// The hub itself: etiquette prompts, closing messages.
    System,
}

/// Who ended a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    Visitor,
    Agent,
    System,
}

/// Why a chat ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Someone pressed end.
    Closed,
    /// The visitor was silent past the department's inactivity limit.
    Inactivity,
    /// The visitor's connection went away and did not come back.
    VisitorLeft,
    /// The hub could not place the chat (missed).
    Missed,
    #[serde(other)]
    Other,
}

/// Where a transfer goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransferTarget {
    Agent { id: AgentId, name: String },
    Department { id: DepartmentId, name: String },
}

/// One entry of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatEvent {
    pub id: EventId,
    pub chat_id: ChatId,
    pub at: Timestamp,
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened. Visitors see messages and notices; agents see everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// A message. `client_id` is the sender's id for it, so an outbox can match its
    /// pending copy to the stored one.
    Message {
        author: Author,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientId>,
    },
    /// An agent joined the chat (accepted it, or accepted a transfer).
    Joined { agent: AgentRef },
    /// A transfer was started. The note is for agents only.
    TransferRequested {
        from: AgentRef,
        to: TransferTarget,
        #[serde(default)]
        note: String,
    },
    /// A transfer to an agent was declined or timed out; the chat stays with `from`.
    TransferFailed { from: AgentRef, reason: String },
    /// An agent left the chat (transferred away, or their chats were re-routed).
    Left { agent: AgentRef, reason: String },
    /// The chat ended.
    Ended { by: EndedBy, reason: EndReason },
    /// The agent's wrap-up.
    WrapUp { agent: AgentRef, wrap_up: WrapUp },
    /// An email reply to a missed chat.
    EmailReply {
        agent: AgentRef,
        to: String,
        subject: String,
        text: String,
        email_id: EmailId,
    },
    /// A note shown to both sides ("Your chat is being transferred to Sam").
    Notice { text: String },
    /// An event from a newer hub.
    #[serde(other)]
    Unknown,
}

/// The wrap-up an agent gives after a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WrapUp {
    pub outcome: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Where a chat's wrap-up stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WrapUpState {
    /// Owed; counts against the agent's cap until given or `deadline`.
    Pending {
        required: bool,
        deadline: Timestamp,
    },
    Done {
        wrap_up: WrapUp,
        at: Timestamp,
    },
    /// The deadline passed without one.
    Expired,
}

/// What kind of offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// A new chat from the queue or straight from a visitor.
    New,
    /// Another agent is handing the chat over.
    Transfer,
}

/// A chat offered to one agent, who accepts or declines before `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Offer {
    pub id: OfferId,
    pub kind: OfferKind,
    pub chat: ChatSummary,
    pub offered_at: Timestamp,
    pub expires_at: Timestamp,
    /// For transfers: who sends it and their note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<AgentRef>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The transcript so far (the survey question, messages typed while waiting, and
    /// for transfers the whole conversation).
    #[serde(default)]
    pub events: Vec<ChatEvent>,
}

/// Why an offer is no longer open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OfferEnd {
    /// Not answered in time.
    Timeout,
    /// The agent declined.
    Declined,
    /// The agent accepted.
    Accepted,
    /// The visitor left before anyone accepted.
    VisitorLeft,
    /// The sender cancelled the transfer, or the chat ended meanwhile.
    Cancelled,
    #[serde(other)]
    Other,
}

/// One waiting chat in a department's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QueueEntry {
    pub chat_id: ChatId,
    pub department: DepartmentRef,
    pub visitor_name: String,
    pub question: String,
    pub waiting_since: Timestamp,
    /// 1 is next.
    pub position: u32,
}

/// Why a chat ended up in the missed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MissedReason {
    /// The visitor left or closed before any agent accepted.
    VisitorLeft,
    /// Waited in the queue past the department's maximum wait.
    QueueTimeout,
    /// Nobody available and backup routing found no one.
    NoAgents,
    /// Outside the department's opening hours.
    Closed,
    /// Left through the offline-message form without trying to chat.
    OfflineMessage,
    #[serde(other)]
    Other,
}

/// Where a missed chat stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MissedState {
    Open,
    /// An agent holds it; nobody else may reply until it is released or expires.
    Claimed,
    Replied,
    Closed,
}

/// How far an email has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EmailDelivery {
    /// Stored in the hub's email outbox, not yet tried.
    Queued,
    /// A try failed; another follows at `next_attempt_at`.
    Retrying {
        attempts: u32,
        next_attempt_at: Timestamp,
        last_error: String,
    },
    /// Accepted by the SMTP server.
    Sent { at: Timestamp },
    /// No SMTP server is configured: the message was written as an .eml file.
    Written { at: Timestamp, path: String },
    /// Given up after too many tries.
    Failed { attempts: u32, last_error: String },
}

/// An email reply to a missed chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EmailReply {
    pub id: EmailId,
    pub agent: AgentRef,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub created_at: Timestamp,
    pub delivery: EmailDelivery,
}

/// An entry of the missed-chats list, with everything the visitor gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedChat {
    pub id: MissedChatId,
    pub chat_id: ChatId,
    pub department: DepartmentRef,
    pub visitor: VisitorInfo,
    pub question: String,
    pub reason: MissedReason,
    pub state: MissedState,
    /// False when the visitor gave no email address: listed, not answerable by email.
    pub answerable: bool,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<AgentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_expires_at: Option<Timestamp>,
    /// Messages the visitor typed (and the offline message, if any).
    #[serde(default)]
    pub events: Vec<ChatEvent>,
    #[serde(default)]
    pub replies: Vec<EmailReply>,
}

/// Who sees a canned response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CannedScope {
    /// Only its owner.
    Personal,
    /// Every agent of one department; managed by admins.
    Department,
}

/// A prepared answer. `text` may hold `{visitor_name}`, `{agent_name}` and
/// `{department}`, filled in by the client when inserted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CannedResponse {
    pub id: CannedId,
    pub scope: CannedScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<DepartmentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<AgentId>,
    /// Typed after "/" in the composer, e.g. `hello`.
    pub shortcut: String,
    pub text: String,
}

/// The variables a canned response may use.
pub const CANNED_VARIABLES: &[&str] = &["visitor_name", "agent_name", "department"];

/// Fill a canned response's variables. Unknown `{names}` are left as written.
pub fn fill_canned(text: &str, visitor_name: &str, agent_name: &str, department: &str) -> String {
    text.replace("{visitor_name}", visitor_name)
        .replace("{agent_name}", agent_name)
        .replace("{department}", department)
}

/// A waiting-time alert, as the etiquette timers raise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The visitor has waited this long to be connected (queued or offered).
    WaitingForAgent,
    /// The visitor's last message has waited this long for an agent's reply.
    WaitingForReply,
    #[serde(other)]
    Other,
}

/// Who is typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Visitor,
    Agent,
}

/// Why the hub is closing a connection, and whether the client should come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The token expired: sign in (or refresh) first, then reconnect.
    TokenExpired,
    /// The agent signed out, or the token was revoked: do not reconnect.
    SignedOut,
    /// The account was disabled: do not reconnect.
    Disabled,
    /// A newer connection of the same agent took over: do not reconnect.
    Replaced,
    /// The hub is shutting down or restarting: reconnect with backoff.
    Shutdown,
    /// Nothing was received within the idle timeout: reconnect.
    Idle,
    /// Too many bad frames: reconnect with backoff.
    Protocol,
    #[serde(other)]
    Other,
}

impl CloseReason {
    /// Whether a client should reconnect after this close (with backoff).
    pub fn should_reconnect(self) -> bool {
        matches!(
            self,
            CloseReason::Shutdown | CloseReason::Idle | CloseReason::Protocol | CloseReason::Other
        )
    }

    /// The WebSocket close code the hub uses with this reason.
    pub fn close_code(self) -> u16 {
        match self {
            CloseReason::TokenExpired => 4001,
            CloseReason::SignedOut => 4002,
            CloseReason::Disabled => 4003,
            CloseReason::Replaced => 4004,
            CloseReason::Shutdown => 1012,
            CloseReason::Idle => 4008,
            CloseReason::Protocol => 1008,
            CloseReason::Other => 1011,
        }
    }
}
